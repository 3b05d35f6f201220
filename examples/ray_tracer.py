"""A small ray tracer whose point light is fitted to a reference image (Zygote's example).

    python examples/ray_tracer.py          # examples/output/ray_tracer.png with matplotlib

Rays from a pinhole camera meet a few spheres; each sphere writes its shading into the image
where it is the nearest (`image[hit] = shade[hit]`). The light's position is what is fitted.
"""
import os
import sys

import numpy as np

try:
    import adjoint
except ImportError:  # running from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import adjoint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from against_autograd import compare  # noqa: E402
import pictures  # noqa: E402
from optim import Adam  # noqa: E402

SPHERES = [{"centre": np.array([0.0, 0.0, 4.0]), "radius": 1.0, "albedo": 0.9},
           {"centre": np.array([1.4, 0.6, 5.0]), "radius": 0.8, "albedo": 0.6},
           {"centre": np.array([-1.3, -0.7, 3.5]), "radius": 0.6, "albedo": 0.8},
           {"centre": np.array([0.0, -101.0, 4.0]), "radius": 100.0, "albedo": 0.5}]      # the floor


def camera_rays(size):
    """Unit directions through each pixel of a size x size screen at distance 1."""
    v, u = np.mgrid[1:-1:size * 1j, -1:1:size * 1j]
    directions = np.stack([u, v, np.ones_like(u)], axis=-1)
    return directions / np.linalg.norm(directions, axis=-1, keepdims=True)


def distance_to(sphere, directions):
    """How far along each ray it meets the sphere (inf where it misses)."""
    b = directions @ sphere["centre"]
    discriminant = b ** 2 - (sphere["centre"] @ sphere["centre"] - sphere["radius"] ** 2)
    near = b - np.sqrt(np.maximum(discriminant, 0.0))
    return np.where((discriminant > 0) & (near > 0), near, np.inf)


def render(light, directions, spheres=SPHERES):
    image = np.zeros(directions.shape[:2])
    nearest = np.full(directions.shape[:2], np.inf)
    for sphere in spheres:
        t = distance_to(sphere, directions)
        hit = t < nearest
        points = np.where(hit, t, 0.0)[..., None] * directions
        normals = (points - sphere["centre"]) / sphere["radius"]
        to_light = light - points
        distance = np.sqrt(np.sum(to_light ** 2, axis=-1))
        facing = np.sum(normals * to_light, axis=-1) / distance
        shade = sphere["albedo"] * np.maximum(facing, 0.0) * 20.0 / (1.0 + distance ** 2)
        image[hit] = shade[hit]
        nearest = np.where(hit, t, nearest)
    return image


def difference(light, directions, reference):
    return np.mean((render(light, directions) - reference) ** 2)


def main(size=48, steps=250, picture=True):
    directions = camera_rays(size)
    true_light = np.array([2.0, 3.0, 1.0])
    reference = render(true_light, directions)
    light = np.array([0.5, 2.0, 0.0])
    first_image = render(light, directions)

    gradient = adjoint.grad(difference)(light, directions, reference)
    eps = 1e-6
    central = np.array([(difference(light + eps * e, directions, reference)
                         - difference(light - eps * e, directions, reference)) / (2 * eps) for e in np.eye(3)])
    agrees = np.allclose(gradient, central, rtol=1e-5, atol=1e-9)

    value_and_slope = adjoint.value_and_grad(difference)
    optimizer, history = Adam(rate=0.05), []
    for _ in range(steps):
        value, slope = value_and_slope(light, directions, reference)
        history.append(value)
        light = optimizer.step(light, slope)
    print(f"image difference {history[0]:.5f} -> {history[-1]:.2e}; the light found at {np.round(light, 3)} "
          f"(true {true_light})")
    print(f"gradient against central differences: {'agrees' if agrees else 'DIFFERS'}")
    print(compare(difference, (light, directions, reference)))
    if picture:
        pictures.images("ray_tracer", [("first guess", first_image), ("fitted", render(light, directions)),
                                       ("reference", reference)], vmax=reference.max())
    found = np.linalg.norm(light - true_light) < 0.1
    ok = agrees and history[-1] < 0.1 * history[0] and (found or size < 48)     # (a reduced run: it improves)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
