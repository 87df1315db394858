package io.calicowebhook.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A log line about a pod carries podNamespace, podName and profileId as MDC fields (JSON logs print
 * them as fields), and the MDC is as it was afterwards.
 */
class PodLogTest {
  private final List<ExtLogRecord> records = new ArrayList<>();
  private final Logger logger = Logger.getLogger(ProblemReports.class.getName());
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          ExtLogRecord ext = (ExtLogRecord) record;
          ext.copyMdc();
          records.add(ext);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void listen() {
    logger.addHandler(handler);
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(handler);
  }

  @Test
  void aReportedProblemIsLoggedWithThePodsFields() {
    MDC.put(PodLog.NAME, "outer");
    try {
      PodMeta pod = new PodMeta("my_ns", "web", "u1", Map.of(), Map.of(), false);
      new ProblemReports(
              (p, problem) -> {
                throw new IllegalStateException("no API");
              })
          .report(
              pod,
              new PolicyProblem(PolicyProblem.Reason.InvalidCalicoPolicy, "does not parse", "x"));

      assertEquals(1, records.size(), "the problem (the failed Event is logged at DEBUG)");
      assertEquals(
          "pod my_ns/web: InvalidCalicoPolicy: does not parse", records.get(0).getMessage());
      for (ExtLogRecord record : records) {
        assertEquals("my_ns", record.getMdc(PodLog.NAMESPACE));
        assertEquals("web", record.getMdc(PodLog.NAME));
        assertEquals("my__ns_web", record.getMdc(PodLog.PROFILE));
      }
      assertEquals("outer", MDC.get(PodLog.NAME), "the caller's MDC is restored");
      assertNull(MDC.get(PodLog.NAMESPACE));
    } finally {
      MDC.remove(PodLog.NAME);
    }
  }

  @Test
  void theFieldsAreGoneEvenWhenTheLogThrows() {
    try {
      PodLog.with(
          new PodKey("a", "b"),
          () -> {
            throw new IllegalStateException("boom");
          });
    } catch (IllegalStateException expected) {
      // the point is what the MDC holds after
    }
    assertNull(MDC.get(PodLog.NAMESPACE));
    assertNull(MDC.get(PodLog.NAME));
    assertNull(MDC.get(PodLog.PROFILE));
  }
}
