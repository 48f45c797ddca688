"""Simulate colour-vision deficiency on colours or a screenshot (Machado, Oliveira & Fernandes 2009,
severity 1.0), to check that the dashboard's status colours stay apart for the one man in twelve
with red-green colour blindness.

    python scripts/colour_vision.py screenshot.png --kind deuteranopia --out simulated.png
"""

from __future__ import annotations

import argparse

import numpy as np

# Machado et al. (2009), severity 1.0, applied to linear RGB
MATRICES = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _to_linear(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055) * 255.0


def simulate(rgb: np.ndarray, kind: str = "deuteranopia") -> np.ndarray:
    """`rgb` (..., 3) in 0–255 as a person with `kind` sees it."""
    lin = _to_linear(np.asarray(rgb, dtype=float))
    return _to_srgb(lin @ MATRICES[kind].T)


def hex_rgb(color: str) -> np.ndarray:
    h = color.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)


def delta_e(a: np.ndarray, b: np.ndarray) -> float:
    """CIE76 colour difference of two sRGB colours (0–255)."""
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def _lab(rgb: np.ndarray) -> np.ndarray:
    lin = _to_linear(np.asarray(rgb, dtype=float))
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def main() -> int:
    from PIL import Image

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("image")
    ap.add_argument("--kind", choices=list(MATRICES), default="deuteranopia")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    img = np.asarray(Image.open(a.image).convert("RGB"), dtype=float)
    Image.fromarray(simulate(img, a.kind).round().astype(np.uint8)).save(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
