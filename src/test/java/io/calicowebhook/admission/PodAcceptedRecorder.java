package io.calicowebhook.admission;

import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link PodAccepted} event the application fires, for tests to inspect. */
@ApplicationScoped
public class PodAcceptedRecorder {
  private final List<PodAccepted> events = new CopyOnWriteArrayList<>();
  private final List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();

  void onAccepted(@Observes PodAccepted event) {
    events.add(event);
    onEventLoop.add(Context.isOnEventLoopThread());
  }

  /** For each event, whether /validate fired it on a Vert.x event-loop thread. */
  public List<Boolean> firedOnEventLoop() {
    return List.copyOf(onEventLoop);
  }

  public List<PodAccepted> events() {
    return List.copyOf(events);
  }

  public void clear() {
    events.clear();
    onEventLoop.clear();
  }
}
