"""Cross-app reading: dashboards, figures, XLSX reports and /healthz. It reads every app
through their selectors and the permission module; no app imports it (DESIGN.md, Layout)."""
