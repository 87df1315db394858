import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.IntStream;

/**
 * The mock Kubernetes API server of {@code bench/scale}, in a process of its own so that its CPU
 * and memory are measured apart from the service's: fabric8's KubernetesMockServer with the
 * reconciler bench's {@link ApiServerLikeCrud} (paged lists, watches from now on, names indexed,
 * bookmarks every minute), on a loopback port.
 *
 * <p>It takes commands on standard input, one a line, and answers each with one line on standard
 * output:
 *
 * <ul>
 *   <li>{@code seed N}: stores pods 0 to N-1 of {@link ScalePods} as the POST handler would;
 *   <li>{@code churn RATE SECONDS FILE}: for SECONDS, creates RATE new pods and deletes RATE random
 *       live ones every second, as a large cluster's controllers and scheduler do, and writes each
 *       change with its time ({@code System.nanoTime()}, the one monotonic clock of the machine's
 *       processes) to FILE: {@code C|D nanos namespace/name};
 *   <li>{@code live FILE}: writes every live pod's {@code namespace/name} to FILE.
 * </ul>
 *
 * Arguments: the port.
 */
public class ScaleApiServer {
  private final ApiServerLikeCrud crud = new ApiServerLikeCrud();
  private final ScalePods pods = new ScalePods();
  private final List<String> live = new ArrayList<>();
  private int next;

  public static void main(String[] args) throws Exception {
    org.jboss.logmanager.LogContext.getLogContext()
        .getLogger("")
        .setLevel(java.util.logging.Level.WARNING);
    new ScaleApiServer().serve(Integer.parseInt(args[0]));
  }

  private void serve(int port) throws Exception {
    KubernetesMockServer server = MockApi.server(crud);
    server.init(InetAddress.getLoopbackAddress(), port);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    out.println("ready " + port);
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.trim().split("\\s+");
      switch (words[0]) {
        case "seed" -> out.println(seed(Integer.parseInt(words[1])));
        case "churn" ->
            out.println(
                churn(Integer.parseInt(words[1]), Integer.parseInt(words[2]), Path.of(words[3])));
        case "live" -> out.println(live(Path.of(words[1])));
        case "quit" -> {
          server.destroy();
          System.exit(0);
        }
        default -> out.println("error: unknown command " + line);
      }
    }
    System.exit(0); // the bench went away
  }

  private String seed(int count) {
    long start = System.nanoTime();
    long bytes = 0;
    // Built in parallel a chunk at a time: a parsed pod takes several times its JSON's memory,
    // and only the JSON is stored.
    for (int from = 0; from < count; from += 5_000) {
      List<Pod> built =
          IntStream.range(from, Math.min(count, from + 5_000))
              .parallel()
              .mapToObj(this::build)
              .toList();
      for (Pod pod : built) {
        crud.underWriteLock(() -> store(pod));
        bytes += pod.json().length();
      }
    }
    next = count;
    return String.format(
        "seeded %d %d %.1f", count, bytes, (System.nanoTime() - start) / 1e9); // pods, bytes, s
  }

  private Pod build(int i) {
    String json = pods.json(i, crud.requestResourceVersion());
    return new Pod(Serialization.unmarshal(json, GenericKubernetesResource.class), json);
  }

  private void store(Pod pod) {
    crud.processEvent(
        path(pod.namespace()), key(pod.namespace(), pod.name()), null, pod.resource(), pod.json());
    live.add(pod.namespace() + "/" + pod.name());
  }

  private void delete(String namespacedName) {
    int slash = namespacedName.indexOf('/');
    String namespace = namespacedName.substring(0, slash);
    AttributeSet key = key(namespace, namespacedName.substring(slash + 1));
    java.util.Map.Entry<AttributeSet, String> found = crud.findResource(key);
    if (found != null) {
      crud.processEvent(path(namespace), key, found.getKey(), null, null);
    }
  }

  private AttributeSet key(String namespace, String name) {
    return crud.getKey(path(namespace))
        .add(new Attribute(KubernetesAttributesExtractor.NAME, name));
  }

  private static String path(String namespace) {
    return "/api/v1/namespaces/" + namespace + "/pods";
  }

  /**
   * Creates and deletes {@code rate} pods a second for {@code seconds}, in steps of 10 ms. The new
   * pods are built ahead by another thread, so that the steps measure the store, not the bench.
   */
  private String churn(int rate, int seconds, Path file) throws Exception {
    BlockingQueue<Pod> ready = new ArrayBlockingQueue<>(Math.max(1000, rate * 5));
    int total = rate * seconds;
    int first = next;
    next += total;
    Thread builder =
        new Thread(
            () -> {
              try {
                for (int i = first; i < first + total; i++) {
                  ready.put(build(i));
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "churn-builder");
    builder.setDaemon(true);
    builder.start();
    Random random = new Random(seconds * 31L + rate);
    StringBuilder log = new StringBuilder(total * 2 * 60);
    long start = System.nanoTime();
    long late = 0;
    int done = 0;
    for (int step = 0; done < total; step++) {
      long due = start + step * 10_000_000L;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } else {
        late = Math.max(late, -wait);
      }
      int now = (int) Math.min(total, (long) (step + 1) * rate / 100);
      for (; done < now; done++) {
        Pod pod = ready.take();
        int victim = random.nextInt(live.size());
        String gone = live.get(victim);
        live.set(victim, live.get(live.size() - 1));
        live.remove(live.size() - 1);
        // Each change's time is taken before the change: a watch may deliver it, and the service
        // write etcd, before the store's call returns here.
        log.append("C ").append(System.nanoTime()).append(' ');
        crud.underWriteLock(() -> store(pod));
        log.append(pod.namespace()).append('/').append(pod.name()).append('\n');
        log.append("D ").append(System.nanoTime()).append(' ').append(gone).append('\n');
        crud.underWriteLock(() -> delete(gone));
      }
    }
    Files.writeString(file, log);
    return String.format(
        "churned %d %d %.1f %.1f", // created, deleted, seconds, latest step (ms)
        total, total, (System.nanoTime() - start) / 1e9, late / 1e6);
  }

  private String live(Path file) throws Exception {
    Files.write(file, live);
    return "live " + live.size();
  }

  /** One generated pod as the API server stores it. */
  private record Pod(GenericKubernetesResource resource, String json) {
    String namespace() {
      return resource.getMetadata().getNamespace();
    }

    String name() {
      return resource.getMetadata().getName();
    }
  }
}
