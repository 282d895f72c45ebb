"""Reports read from tracking's history: the temperature record per order and the KPIs (pure)."""
