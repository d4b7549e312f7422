#!/usr/bin/env python3
"""Trains and quantizes the shipped digits classifier (models/digits-mlp-int8.safetensors).

The data is scikit-learn's bundled copy of the UCI handwritten digits (8 x 8 images, pixel
values 0..16, 1,797 samples; nothing is downloaded). A 64-64-10 multilayer perceptron with ReLU
is trained in float, then quantized with the integer-only scheme of Jacob et al. (2018), as
TFLite's post-training quantization does:

- input: x_q = round(255 * pixel / 16) - 128, i.e. scale 1/255 per unit of pixel/16, zero point
  -128 (the image in [0, 1] maps onto the whole int8 range);
- weights: symmetric int8 in -127..127, zero point 0; layer 0 with one scale per output channel,
  layer 1 with one scale for the whole tensor (so the shipped model exercises both forms);
- activations: asymmetric int8 over the range seen on the training set (layer 0's ReLU output
  from 0, so its zero point is -128 and the ReLU folds into the clamp);
- bias: int32 at scale input_scale * weight_scale, zero point 0;
- requantization: the real multiplier input_scale * weight_scale / output_scale as a Q31
  multiplier in [2^30, 2^31) and a power-of-two shift (TFLite's QuantizeMultiplier).

Writes the model, 200 held-out test images (int8, 200 x 64, already quantized) and their labels
(int64) beside this script, and prints the float and int8 accuracies on the whole held-out set.
CI never runs this; the files it wrote are committed. Run it with:

  PYTHONPATH="$(models/python-env.sh models/requirements-train.txt)" python3 models/train_digits.py
"""

import math
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reference

HERE = Path(__file__).resolve().parent
SHIPPED_TEST_IMAGES = 200


def quantize_multiplier(real):
    """TFLite's QuantizeMultiplier: real = q / 2^31 * 2^shift, q in [2^30, 2^31)."""
    if real <= 0:
        raise ValueError(f"multiplier {real} must be positive")
    frac, shift = math.frexp(real)
    q = round(frac * (1 << 31))
    if q == 1 << 31:
        q //= 2
        shift += 1
    if not -31 <= shift <= 30:
        raise ValueError(f"multiplier {real} needs shift {shift}, outside -31..30")
    return q, shift


def quantize_input(pixels):
    return np.clip(np.round(pixels / 16.0 * 255.0) - 128, -128, 127).astype(np.int8)


def asymmetric(low, high):
    """(scale, zero point) of int8 over [low, high], which is widened to hold 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / 255.0
    zero_point = int(np.clip(round(-128 - low / scale), -128, 127))
    return scale, zero_point


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
    mlp = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", alpha=1e-4,
                        max_iter=600, random_state=0)
    mlp.fit(x_train / 16.0, y_train)
    float_accuracy = mlp.score(x_test / 16.0, y_test)

    w0, w1 = mlp.coefs_  # [in, out] each
    b0, b1 = mlp.intercepts_
    in_scale, in_zero = 1.0 / 255.0, -128
    # Calibration on the training set, through the quantized input.
    x_deq = (quantize_input(x_train).astype(np.float64) - in_zero) * in_scale
    hidden = np.maximum(x_deq @ w0 + b0, 0.0)
    h_scale, h_zero = asymmetric(0.0, hidden.max())
    logits = hidden @ w1 + b1
    o_scale, o_zero = asymmetric(logits.min(), logits.max())

    w0_scale = np.abs(w0).max(axis=0) / 127.0  # one per output channel
    w1_scale = np.abs(w1).max() / 127.0  # one for the tensor
    q0 = [quantize_multiplier(in_scale * s / h_scale) for s in w0_scale]
    q1 = quantize_multiplier(h_scale * w1_scale / o_scale)
    tensors = {
        "layers.0.weight": np.round(w0 / w0_scale).T.astype(np.int8),
        "layers.0.bias": np.round(b0 / (in_scale * w0_scale)).astype(np.int32),
        "layers.0.multiplier": np.array([q for q, _ in q0], np.int32),
        "layers.0.shift": np.array([s for _, s in q0], np.int32),
        "layers.0.input_zero_point": np.array(in_zero, np.int32),
        "layers.0.output_zero_point": np.array(h_zero, np.int32),
        "layers.0.activation": np.array(1, np.int32),
        "layers.1.weight": np.round(w1 / w1_scale).T.astype(np.int8),
        "layers.1.bias": np.round(b1 / (h_scale * w1_scale)).astype(np.int32),
        "layers.1.multiplier": np.array([q1[0]], np.int32),
        "layers.1.shift": np.array([q1[1]], np.int32),
        "layers.1.input_zero_point": np.array(h_zero, np.int32),
        "layers.1.output_zero_point": np.array(o_zero, np.int32),
        "layers.1.activation": np.array(0, np.int32),
    }
    test_images = quantize_input(x_test)
    path = HERE / "digits-mlp-int8.safetensors"
    metadata = {
        "format": "peerz mlp-int8 (docs/attestation.md)",
        "description": "64-64-10 MLP on scikit-learn's 8x8 handwritten digits, int8 quantized",
        "input": "x_q = round(255 * pixel / 16) - 128 for pixels 0..16",
        "input_scale": repr(float(in_scale)),
        "input_zero_point": str(in_zero),
        "output_scale": repr(float(o_scale)),
        "output_zero_point": str(o_zero),
        "trained_with": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
    }
    reference.write_safetensors(path, tensors, metadata)
    layers = reference.load_model(path.read_bytes())
    predictions = reference.forward(layers, test_images)[-1][1].argmax(axis=1)
    int8_accuracy = float((predictions == y_test).mean())
    shipped = slice(0, SHIPPED_TEST_IMAGES)
    shipped_accuracy = float((predictions[shipped] == y_test[shipped]).mean())
    metadata["float_test_accuracy"] = f"{float_accuracy:.4f} on {len(y_test)} held-out images"
    metadata["int8_test_accuracy"] = f"{int8_accuracy:.4f} on {len(y_test)} held-out images"
    reference.write_safetensors(path, tensors, metadata)
    np.save(HERE / "digits-test-images.npy", test_images[shipped])
    np.save(HERE / "digits-test-labels.npy", y_test[shipped].astype(np.int64))
    print(f"model {path.name}: {path.stat().st_size} bytes, root "
          f"{reference.model_root(path.read_bytes()).hex()}")
    print(f"float accuracy {float_accuracy:.4f}, int8 accuracy {int8_accuracy:.4f} "
          f"on {len(y_test)} held-out images; int8 {shipped_accuracy:.4f} on the "
          f"{SHIPPED_TEST_IMAGES} shipped")
    print(f"hidden scale {float(h_scale)!r} zero point {h_zero}; output scale {float(o_scale)!r} "
          f"zero point {o_zero}")


if __name__ == "__main__":
    main()
