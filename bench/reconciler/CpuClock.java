import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Where a {@link Cpu} measurement starts. The JVM's figure covers the service's code and the mock
 * API server alike (they share the process); the children's covers every etcd this JVM started, so
 * a phase is measured while its etcd still runs and no other one is busy.
 */
record CpuClock(long wall, long jvm, long children) {
  static CpuClock start() {
    return new CpuClock(System.nanoTime(), jvmCpuNanos(), childrenCpuNanos());
  }

  Cpu since() {
    return new Cpu(
        (System.nanoTime() - wall) / 1e9,
        (jvmCpuNanos() - jvm) / 1e9,
        (childrenCpuNanos() - children) / 1e9);
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long childrenCpuNanos() {
    return ProcessHandle.current()
        .descendants()
        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
        .sum();
  }
}
