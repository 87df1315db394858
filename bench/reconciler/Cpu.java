/** CPU time between two moments: this JVM's and the child processes' (the etcds). */
record Cpu(double wall, double jvm, double etcd) {
  double total() {
    return jvm + etcd;
  }

  String text() {
    return String.format(
        "%.2f CPU-s (JVM %.2f, etcd %.2f) in %.2f s, %.2f cores busy",
        total(), jvm, etcd, wall, total() / wall);
  }
}
