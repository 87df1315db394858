package io.calicowebhook.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link PodAccepted} event the application fires, for tests to inspect. */
@ApplicationScoped
public class PodAcceptedRecorder {
  private final List<PodAccepted> events = new CopyOnWriteArrayList<>();

  void onAccepted(@Observes PodAccepted event) {
    events.add(event);
  }

  public List<PodAccepted> events() {
    return List.copyOf(events);
  }

  public void clear() {
    events.clear();
  }
}
