"""Real-valued functions of complex inputs."""
import numpy as np


def squared_modulus(z):
    return np.real(z * np.conj(z))


def modulus_of_exp(z, w):
    return np.sum(np.abs(np.exp(z * w)) ** 2)


def real_part_of_product(z, w):
    return np.real(np.sum(z * w))


def matrix_vector(A, z):
    return np.sum(np.abs(A @ z) ** 2)


def phase_and_magnitude(z):
    return np.sum(np.abs(z) + np.imag(z) * np.real(z))
