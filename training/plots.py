"""Figures for MLflow and the methodology note (matplotlib, PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def cost_curve_plot(curve: dict, threshold: float, accept_all: float, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6.4, 4))
    ax.plot(curve["thresholds"], curve["cost"], color="#1f77b4", label="cost per client")
    ax.axvline(threshold, color="#d62728", ls="--", label=f"threshold {threshold:.3f}")
    ax.axhline(accept_all, color="grey", ls=":", label=f"accept everyone {accept_all:.3f}")
    ax.set_xlabel("threshold on calibrated P(default)")
    ax.set_ylabel("business cost per client")
    ax.set_title("Business cost vs threshold (out-of-fold)")
    ax.legend()
    return _save(fig, path)


def roc_plot(roc: dict, auc: float, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    ax.plot(roc["fpr"], roc["tpr"], label=f"CatBoost + SMOTE (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", ls=":")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC (out-of-fold)")
    ax.legend(loc="lower right")
    return _save(fig, path)


def reliability_plot(calibration: dict, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    raw = calibration["raw_reliability"]
    top = max(max(raw["predicted"], default=0), max(raw["observed"], default=0), max(calibration["predicted"], default=0))
    ax.plot([0, top], [0, top], color="grey", ls=":")
    ax.plot(raw["predicted"], raw["observed"], "o-", label=f"raw (Brier {calibration['brier_raw']:.4f})")
    ax.plot(calibration["predicted"], calibration["observed"], "s-",
            label=f"calibrated (Brier {calibration['brier']:.4f})")
    ax.set_xlabel("mean predicted P(default)")
    ax.set_ylabel("observed default rate")
    ax.set_title("Reliability (out-of-fold, deciles)")
    ax.legend()
    return _save(fig, path)


def importance_plot(importance: list[dict], path: Path, top: int = 20) -> Path:
    rows = importance[:top][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(rows) + 1.2))
    ax.barh([r["label"][:45] for r in rows], [r["mean_abs_shap"] for r in rows], color="#2ca02c")
    ax.set_xlabel("mean |SHAP| (log-odds)")
    ax.set_title("Global importance")
    return _save(fig, path)


def ablation_plot(rows: list[dict], path: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    names = [r["variant"] for r in rows]
    axes[0].bar(names, [r["auc"] for r in rows], color="#9467bd")
    axes[0].set_ylim(min(r["auc"] for r in rows) - 0.02, max(r["auc"] for r in rows) + 0.01)
    axes[0].set_title("CV AUC")
    axes[1].bar(names, [r["business_cost"] for r in rows], color="#8c564b")
    axes[1].set_title("cost per client at best threshold")
    for ax in axes:
        ax.tick_params(axis="x", rotation=20)
    return _save(fig, path)
