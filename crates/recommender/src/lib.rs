//! Right-sizing: pure functions from a pod's or workload's usage series (CPU and memory,
//! with requests and limits) to recommended requests, a confidence and a human reason.
//! No I/O: the app feeds it series read through the metrics-store port and turns its
//! advice into money with the node rates the pods ran on.
//!
//! The algorithms arrive with the HTTP issue (a first, sound one) and the recommender
//! issue (VPA/KRR-beating, evaluated on real traces).
