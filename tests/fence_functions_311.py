"""Functions the fence must reject, written in syntax newer than Python 3.9 (imported from 3.11 on)."""


def match_statement(x):
    match x:  # REJECT Match
        case 0.0:
            return x
    return x * 2.0


def try_star_block(x):
    try:  # REJECT TryStar
        x = x * 2.0
    except* ValueError:
        pass
    return x
