package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code WEBHOOK_CLIENT_NAMES} without {@code WEBHOOK_CLIENT_CA}: the service refuses to start. */
@QuarkusMainTest
@TestProfile(ClientNamesWithoutCaTest.NamesWithoutCa.class)
class ClientNamesWithoutCaTest {

  @Test
  void refusesToStartSayingWhatToSet(QuarkusMainLauncher launcher) {
    // A service that did start would run until stopped: fail instead of hanging.
    LaunchResult result = assertTimeoutPreemptively(Duration.ofMinutes(3), () -> launcher.launch());

    assertEquals(1, result.exitCode());
    String output = result.getOutput() + result.getErrorOutput();
    assertTrue(
        output.contains(
            "WEBHOOK_CLIENT_NAMES is set but WEBHOOK_CLIENT_CA is not: names are only checked on"
                + " client certificates verified against a client CA; set WEBHOOK_CLIENT_CA too,"
                + " or unset WEBHOOK_CLIENT_NAMES"),
        output);
  }

  /** Names, and no client CA. */
  public static class NamesWithoutCa implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("WEBHOOK_CLIENT_NAMES", "kube-apiserver");
    }
  }
}
