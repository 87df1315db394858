package io.calicowebhook.config;

import io.calicowebhook.profile.DefaultPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the service, validated at start-up. Environment variables in parentheses; they
 * are mapped in {@code application.properties}.
 */
@ConfigMapping(prefix = "calico")
public interface CalicoConfig {
  /**
   * Inbound policy of pods without a policy annotation: {@code ns_isolation} (only the same
   * namespace may connect) or {@code allow} ({@code CALICO_DEFAULT_POLICY}). Any other value
   * refuses to start.
   */
  @WithDefault("ns_isolation")
  @WithConverter(DefaultPolicyConverter.class)
  DefaultPolicy defaultPolicy();

  /** Where profiles are written: the etcd of Calico. */
  Etcd etcd();

  /** How the background worker writes profiles into etcd. */
  Worker worker();

  /** The reconciler on the Kubernetes API, which makes etcd match the pods that exist. */
  Reconciler reconciler();

  /** Who may call {@code /validate} and {@code /mutate}. */
  Webhook webhook();

  /**
   * The certificates the service makes and renews itself (the chart's {@code tls.mode=service}).
   */
  Certs certs();

  /**
   * The connection to Calico's etcd (v3 API). Every setting is optional on its own; together they
   * are checked at start-up and every mistake is reported in one message.
   */
  interface Etcd {
    /**
     * Client URLs of the etcd cluster, comma-separated ({@code ETCD_ENDPOINTS}), for example {@code
     * https://10.0.0.1:2379,https://10.0.0.2:2379}. Required in production; in dev and test mode an
     * empty value starts a private etcd (see {@link #devService()}).
     */
    Optional<List<String>> endpoints();

    /**
     * PEM file of the CA that signed etcd's serving certificate ({@code ETCD_CA_FILE}); without it
     * an {@code https} endpoint is verified against the JVM's default trust store.
     */
    Optional<Path> caFile();

    /**
     * PEM client certificate for etcd's {@code --client-cert-auth} ({@code ETCD_CERT_FILE}); needs
     * {@link #keyFile()}.
     */
    Optional<Path> certFile();

    /**
     * PEM private key (PKCS#8: {@code BEGIN PRIVATE KEY}) of {@link #certFile()} ({@code
     * ETCD_KEY_FILE}).
     */
    Optional<Path> keyFile();

    /** etcd user for role-based access ({@code ETCD_USERNAME}); needs {@link #password()}. */
    Optional<String> username();

    /** Password of {@link #username()} ({@code ETCD_PASSWORD}). */
    Optional<String> password();

    /** How long one etcd request (a transaction) may take before it counts as failed. */
    @WithDefault("5s")
    Duration requestTimeout();

    /**
     * Most operations (and comparisons) in one etcd transaction; etcd refuses more than its {@code
     * --max-txn-ops} (128 unless changed). A profile takes three.
     */
    @WithDefault("128")
    @WithName("max-txn-ops")
    int maxTxnOps();

    /**
     * Most bytes of keys and values in one etcd transaction. Must stay below etcd's {@code
     * --max-request-bytes} (1.5 MiB unless changed); a profile larger than this alone is written
     * fail-closed instead and reported on its pod.
     */
    @WithDefault("1400000")
    @WithName("max-txn-bytes")
    int maxTxnBytes();

    /**
     * Largest etcd response the client accepts, in bytes (gRPC's default is 4 MiB); a resync page
     * larger than this is read again in halves.
     */
    @WithDefault("33554432")
    int maxResponseBytes();

    /**
     * Keys per page when the reconciler reads every profile and ownership record. etcd 3.4 walks
     * its index from a page's first key to the end of the range for every page (to count them), so
     * a resync's cost grows with the number of pages times the number of keys: at 150,000 pods,
     * pages of 1,000 made an unchanged resync take 22-33 s.
     */
    @WithDefault("10000")
    int readPageSize();

    /** The private etcd of dev and test mode. */
    DevService devService();

    /** A private etcd started from {@code PATH} when no endpoints are set. */
    interface DevService {
      /**
       * Start a private etcd on a free loopback port with a temporary data directory when {@link
       * Etcd#endpoints()} is empty, and stop it on exit. On in the dev and test profiles only; in
       * production an empty endpoint list refuses to start.
       */
      @WithDefault("false")
      boolean enabled();
    }
  }

  /** The background worker that programs pods' profiles into etcd. */
  interface Worker {
    /** Transactions in flight at once. */
    @WithDefault("8")
    int inFlight();

    /** First pause after etcd fails; doubled on each further failure, with jitter. */
    @WithDefault("100ms")
    Duration backoffMin();

    /** Longest pause between attempts while etcd stays unavailable. */
    @WithDefault("10s")
    Duration backoffMax();

    /** How long shutdown waits for pending profiles to be written before giving up on them. */
    @WithDefault("10s")
    Duration drainTimeout();
  }

  /**
   * The reconciler: a pod informer on the Kubernetes API, a periodic resync of etcd against it, a
   * watch of the profile keys in etcd, and the leader election that picks the one replica that
   * writes.
   */
  interface Reconciler {
    /**
     * On or off ({@code CALICO_RECONCILER_ENABLED}). Unset: on when a Kubernetes API is configured
     * (an in-cluster service account, {@code quarkus.kubernetes-client.api-server-url}, or a
     * kubeconfig file), off otherwise ({@code make run} on a laptop, where admission feeds the
     * worker instead).
     */
    Optional<Boolean> enabled();

    /** How often every pod's profile is compared with etcd, besides at start and leadership. */
    @WithDefault("5m")
    Duration resyncPeriod();

    /** Pods per page of the informer's list requests. */
    @WithDefault("500")
    int listPageSize();

    /**
     * How long the pod watch may deliver no event and no bookmark (the API server sends one about
     * every minute) before it counts as dead: then the cache is listed and watched anew, and until
     * then no profile is deleted for a pod the cache lacks and no resync runs.
     */
    @WithDefault("3m")
    Duration watchStaleAfter();

    /**
     * The largest share of the owned profiles one resync deletes at once: more orphans than that
     * (and more than 10) are held, reported, and deleted only when the next resync finds them
     * again.
     */
    @WithDefault("0.25")
    double maxDeleteShare();

    /**
     * How long a new replica may stay unready while its pod informer lists the cluster's pods for
     * the first time and another replica leads ({@code CALICO_RECONCILER_READY_WAIT}): a rolling
     * update then stops the old leader only once the new replica can take over with a full cache,
     * and never waits longer than this. {@code 0} turns the wait off.
     */
    @WithDefault("2m")
    Duration readyWait();

    /** The coordination.k8s.io Lease that elects the one replica writing to etcd. */
    Lease lease();

    /** Leader election settings. */
    interface Lease {
      /** Name of the Lease. */
      @WithDefault("calico-policy-webhook")
      String name();

      /**
       * Namespace of the Lease ({@code POD_NAMESPACE}, from the downward API); default: the
       * namespace of the Kubernetes client's configuration.
       */
      Optional<String> namespace();

      /** This replica's identity in the Lease ({@code POD_NAME}); default: host name. */
      Optional<String> identity();

      /** How long a leader's claim lasts without renewal before another replica may take over. */
      @WithDefault("15s")
      Duration duration();

      /** How long the leader keeps trying to renew before it stops writing. */
      @WithDefault("10s")
      Duration renewDeadline();

      /** How often candidates try to acquire, and the leader renews. */
      @WithDefault("2s")
      Duration retryPeriod();
    }
  }

  /** The admission endpoints' callers. */
  interface Webhook {
    /**
     * Comma-separated names, one of which a caller's client certificate must carry as its subject
     * CN or as a DNS subject alternative name ({@code WEBHOOK_CLIENT_NAMES}), for example {@code
     * kube-apiserver,apiserver-webhook-client}; others get 403. Compared exactly, no wildcards.
     * Needs {@code WEBHOOK_CLIENT_CA}; unset, any certificate that CA signed is accepted.
     */
    Optional<String> clientNames();

    /**
     * How often the serving certificate, its key and the client CA are read again ({@code
     * WEBHOOK_TLS_RELOAD_PERIOD}); a change is served from then on, without a restart and without
     * dropping a connection. At least 1s.
     */
    @WithDefault("1m")
    Duration tlsReloadPeriod();

    /** The serving certificate's PEM file, chain included ({@code WEBHOOK_TLS_CERT}). */
    @WithDefault("certs/tls.crt")
    String tlsCert();

    /** Its private key's PEM file ({@code WEBHOOK_TLS_KEY}): PKCS#8, PKCS#1 RSA or SEC1 EC. */
    @WithDefault("certs/tls.key")
    String tlsKey();
  }

  /**
   * The service's own CA and serving certificate, kept in a Secret and written into the webhook
   * configurations' {@code caBundle} (see {@code docs/certificates.md}). Every replica checks them
   * every {@link #checkPeriod()}; writes are conditioned on the object's resourceVersion, so the
   * replicas need no leader among themselves.
   */
  interface Certs {
    /**
     * On or off ({@code CALICO_CERTS_ENABLED}); off unless the chart's {@code tls.mode=service}.
     */
    @WithDefault("false")
    boolean enabled();

    /** The Secret holding the CAs and the serving pair ({@code CALICO_CERTS_SECRET_NAME}). */
    @WithDefault("calico-policy-webhook-certs")
    String secretName();

    /**
     * The Service the kube-apiserver calls ({@code CALICO_CERTS_SERVICE_NAME}); the serving
     * certificate names it as {@code <service>}, {@code <service>.<namespace>}, {@code
     * <service>.<namespace>.svc} and {@code <service>.<namespace>.svc.<cluster-domain>}.
     */
    @WithDefault("calico-policy-webhook")
    String serviceName();

    /**
     * Namespace of the Secret and the Service ({@code POD_NAMESPACE}); default: the namespace of
     * the Kubernetes client's configuration.
     */
    Optional<String> namespace();

    /** The cluster's DNS domain, for the last DNS name of the serving certificate. */
    @WithDefault("cluster.local")
    String clusterDomain();

    /**
     * The ValidatingWebhookConfiguration whose {@code caBundle} the CA goes into ({@code
     * CALICO_CERTS_VALIDATING_WEBHOOK}); default: {@link #serviceName()}.
     */
    Optional<String> validatingWebhook();

    /**
     * The MutatingWebhookConfiguration whose {@code caBundle} the CA goes into ({@code
     * CALICO_CERTS_MUTATING_WEBHOOK}); default: {@link #serviceName()}.
     */
    Optional<String> mutatingWebhook();

    /** Lifetime of a serving certificate ({@code CALICO_CERTS_VALIDITY}). */
    @WithDefault("365d")
    Duration validity();

    /**
     * A serving certificate is replaced when less than this is left of it ({@code
     * CALICO_CERTS_RENEW_BEFORE}); default: a third of {@link #validity()}.
     */
    Optional<Duration> renewBefore();

    /** Lifetime of a CA ({@code CALICO_CERTS_CA_VALIDITY}). */
    @WithDefault("3650d")
    Duration caValidity();

    /**
     * A CA's rotation starts when less than this is left of it ({@code
     * CALICO_CERTS_CA_RENEW_BEFORE}); default: a third of {@link #caValidity()}. Must leave room
     * for the rotation's two overlaps.
     */
    Optional<Duration> caRenewBefore();

    /**
     * How long each step of a CA rotation waits for the cluster to catch up ({@code
     * CALICO_CERTS_OVERLAP}): a new CA sits in {@code caBundle} this long before it signs the
     * serving certificate, and the old CA stays this long after. Must be longer than kubelet's
     * Secret volume sync (up to about two minutes) plus {@code WEBHOOK_TLS_RELOAD_PERIOD}.
     */
    @WithDefault("10m")
    Duration overlap();

    /** How often every replica looks at the Secret and the webhook configurations. */
    @WithDefault("1m")
    Duration checkPeriod();
  }
}
