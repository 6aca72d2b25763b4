/// Operational log formatting (work in progress in this commit series).
public enum OperationalLog {}
