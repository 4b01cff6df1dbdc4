"""HTTP views of demands: thin functions that parse, call a service or selector, render."""
