import java.time.Duration;

/** CPU time of one process, or of every etcd this JVM started. */
final class ProcessCpu {
  private ProcessCpu() {}

  /** CPU seconds process {@code pid} used so far (0 once it is gone). */
  static double seconds(long pid) {
    return ProcessHandle.of(pid).map(ProcessCpu::seconds).orElse(0.0);
  }

  /** CPU seconds every etcd started by this JVM used so far. */
  static double etcdSeconds() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("/etcd")).orElse(false))
        .mapToDouble(ProcessCpu::seconds)
        .sum();
  }

  private static double seconds(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
  }
}
