package io.calicowebhook.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.pod.PodKey;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.junit.jupiter.api.Test;

/**
 * LOG_JSON=true: the console prints one JSON object per line, and a line about a pod carries the
 * pod's fields.
 */
@QuarkusTest
@TestProfile(JsonLogsTest.Json.class)
class JsonLogsTest {
  /** The environment variable the chart's logging.json sets, as a config value. */
  public static class Json implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("LOG_JSON", "true");
    }
  }

  @Test
  void consoleLinesAreJsonObjectsWithThePodsFields() throws Exception {
    Formatter formatter = consoleFormatter();
    List<String> lines = new ArrayList<>();
    PodLog.with(
        new PodKey("shop", "web"),
        () -> {
          ExtLogRecord record =
              new ExtLogRecord(Level.WARNING, "pod shop/web: InvalidCalicoPolicy", "test");
          record.setLoggerName("io.calicowebhook.worker.ProblemReports");
          record.copyMdc();
          lines.add(formatter.format(record));
        });

    String line = lines.get(0);
    assertEquals(1, line.strip().lines().count(), line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("pod shop/web: InvalidCalicoPolicy", json.path("message").asText(), line);
    assertEquals("WARN", json.path("level").asText().substring(0, 4), line);
    JsonNode mdc = json.path("mdc");
    assertEquals("shop", mdc.path(PodLog.NAMESPACE).asText(), line);
    assertEquals("web", mdc.path(PodLog.NAME).asText(), line);
    assertEquals("shop_web", mdc.path(PodLog.PROFILE).asText(), line);
  }

  private static Formatter consoleFormatter() {
    List<Handler> handlers = new ArrayList<>();
    collect(LogContext.getLogContext().getLogger("").getHandlers(), handlers);
    Formatter found = null;
    for (Handler handler : handlers) {
      if (handler instanceof ConsoleHandler) {
        found = handler.getFormatter();
      }
    }
    assertTrue(found != null, () -> "no console handler among " + handlers);
    return found;
  }

  /** Quarkus wraps its handlers (a delayed handler, async handlers); their children count. */
  private static void collect(Handler[] from, List<Handler> into) {
    for (Handler handler : from) {
      into.add(handler);
      if (handler instanceof org.jboss.logmanager.ExtHandler ext) {
        collect(ext.getHandlers(), into);
      }
    }
  }
}
