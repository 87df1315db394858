package io.calicowebhook.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on the loopback in front of one server, for injecting network faults between a client
 * and that server:
 *
 * <ul>
 *   <li>{@link Mode#PASS}: bytes flow both ways;
 *   <li>{@link Mode#DROP}: every connection, open or new, is a black hole: bytes are read and
 *       discarded in both directions, nothing is closed, nothing answers (packets dropped);
 *   <li>{@link Mode#REFUSE}: every open connection is closed and nothing listens, so that new
 *       connections are refused; {@link Mode#PASS} listens again on the same port.
 * </ul>
 *
 * <p>{@link #silenceWatches} black-holes only the connections whose first request asks for a
 * Kubernetes watch ({@code watch=true}, plain HTTP), so that a watch dies silently while every
 * other call still works.
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy does with connections. */
  public enum Mode {
    PASS,
    DROP,
    REFUSE
  }

  private final InetSocketAddress upstream;
  private final int port;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;
  private volatile boolean silenceWatches;
  private volatile ServerSocket listener;
  private volatile boolean closed;

  public FaultProxy(int upstreamPort) throws IOException {
    this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
    ServerSocket socket = listen(0);
    this.port = socket.getLocalPort();
    accept(socket);
  }

  /** The proxy's port on the loopback. */
  public int port() {
    return port;
  }

  /** Switches to {@code next}; see {@link Mode}. */
  public synchronized void mode(Mode next) throws IOException {
    Mode before = mode;
    mode = next;
    if (next == Mode.REFUSE && before != Mode.REFUSE) {
      listener.close();
      links.forEach(Link::close);
    } else if (next != Mode.REFUSE && before == Mode.REFUSE) {
      accept(listen(port));
    }
  }

  /** Black-holes the watch connections, open and new, or lets them flow again. */
  public void silenceWatches(boolean silence) {
    silenceWatches = silence;
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return socket;
  }

  private void accept(ServerSocket socket) {
    listener = socket;
    daemon(
        "fault-proxy-accept",
        () -> {
          while (!socket.isClosed()) {
            try {
              Socket client = socket.accept();
              Link link = new Link(client);
              links.add(link);
              link.start();
            } catch (IOException e) {
              return; // closed
            }
          }
        });
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    listener.close();
    links.forEach(Link::close);
  }

  /** One client connection and its upstream connection. */
  private final class Link {
    private final Socket client;
    private volatile Socket server;
    private volatile boolean watch;

    Link(Socket client) {
      this.client = client;
    }

    void start() {
      daemon(
          "fault-proxy-link",
          () -> {
            try {
              server = new Socket(upstream.getAddress(), upstream.getPort());
              daemon("fault-proxy-down", () -> pump(server, client, false));
              pump(client, server, true);
            } catch (IOException e) {
              close();
            }
          });
    }

    private boolean blackHoled() {
      return mode == Mode.DROP || (watch && silenceWatches);
    }

    private void pump(Socket from, Socket to, boolean request) {
      byte[] buffer = new byte[16 * 1024];
      boolean first = request;
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int read;
        while ((read = in.read(buffer)) >= 0) {
          if (first) {
            first = false;
            watch = new String(buffer, 0, read, StandardCharsets.ISO_8859_1).contains("watch=true");
          }
          if (!blackHoled()) {
            out.write(buffer, 0, read);
            out.flush();
          }
        }
      } catch (IOException e) {
        // closed
      } finally {
        if (!blackHoled() || closed) {
          close();
        }
      }
    }

    void close() {
      links.remove(this);
      closeQuietly(client);
      closeQuietly(server);
    }

    private void closeQuietly(Socket socket) {
      try {
        if (socket != null) {
          socket.close();
        }
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}
