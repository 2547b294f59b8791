"""The pure core shared by training and the service: schema, loading, features,
business cost, decision rule, calibration and the model bundle."""
