import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** One watch of {@link ApiServerLikeCrud}: events in commit order, from its own thread. */
final class MockWatch extends io.fabric8.mockwebserver.http.WebSocketListener {
  final AttributeSet query;
  private final Set<MockWatch> registry;
  private final CompletableFuture<io.fabric8.mockwebserver.http.WebSocket> socket =
      new CompletableFuture<>();
  private final ExecutorService out =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "mock-watch");
            thread.setDaemon(true);
            return thread;
          });

  MockWatch(AttributeSet query, Set<MockWatch> registry) {
    this.query = query;
    this.registry = registry;
  }

  /** Whether the client asked for bookmarks ({@code allowWatchBookmarks=true}). */
  boolean bookmarks;

  /** A BOOKMARK at {@code version}, as the API server sends about once a minute. */
  void bookmark(long version) {
    if (bookmarks) {
      send(
          "BOOKMARK",
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\""
              + version
              + "\"}}");
    }
  }

  /** Called with the store's write lock held, so events queue in commit order. */
  void send(String type, String object) {
    String message = "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    try {
      out.execute(() -> socket.join().send(message));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the watch ended meanwhile
    }
  }

  @Override
  public void onOpen(
      io.fabric8.mockwebserver.http.WebSocket webSocket,
      io.fabric8.mockwebserver.http.Response response) {
    socket.complete(webSocket);
  }

  @Override
  public void onClosing(
      io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
    webSocket.close(code, reason);
  }

  @Override
  public void onClosed(io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
    end();
  }

  @Override
  public void onFailure(
      io.fabric8.mockwebserver.http.WebSocket webSocket,
      Throwable failure,
      io.fabric8.mockwebserver.http.Response response) {
    end();
  }

  private void end() {
    registry.remove(this);
    out.shutdownNow();
  }
}
