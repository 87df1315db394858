# The whole set-up on a fresh Debian machine: `make test` and `make run`.
# Anything missing (etcd, openssl) is installed with apt-get; elsewhere install
# etcd 3.4+ on PATH yourself (see README).
SHELL := /bin/bash
MVNW  := ./mvnw -B
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test run build deps certs clean e2e chaos bench bench-policy bench-admission bench-profiles bench-reconciler bench-scale

test: deps
	$(MVNW) verify

run: deps certs build
	java -Dquarkus.profile=dev -jar target/quarkus-app/quarkus-run.jar

build:
	$(MVNW) -q package -DskipTests

# What the tests need from the system: etcd (the tests and `make run` start it themselves),
# openssl (certificates), shellcheck (the scripts' test), promtool (the alert rules' test; Debian
# ships it in the package prometheus). Only what is missing is installed.
deps:
	@missing=""; \
	command -v etcd >/dev/null 2>&1 || missing="$$missing etcd-server etcd-client"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v shellcheck >/dev/null 2>&1 || missing="$$missing shellcheck"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing with apt-get"; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "etcd (3.4 or newer), openssl, shellcheck and promtool must be on PATH; install them with your package manager" >&2; exit 1; \
	  fi; \
	fi
	@etcd --version | head -1

certs: certs/tls.crt

certs/tls.crt certs/tls.key:
	certs/generate.sh -o certs

# Profile programming: the idle worker and the lag after 10 s of unique pods through /validate,
# against etcd's ceiling (bench/profile-throughput); not part of `make test`.
bench-profiles: deps build
	BENCH_ARGS="$(BENCH_ARGS)" bench/profile-throughput/run.sh

# The reconciler with 20,000 pods on a mock Kubernetes API and a private etcd, as ratios to the
# worker alone (bench/reconciler); not part of `make test`. It needs the test classpath (the
# fabric8 mock server) and runs 5 to 10 minutes. BENCH_RECONCILER_ARGS="2000 200" for a quick run.
# test-compile compiles every bench into target/bench-classes (the bench-compile execution in pom.xml).
bench-reconciler: deps
	$(MVNW) -q test-compile
	$(MVNW) -q dependency:build-classpath -Dmdep.outputFile=target/bench-test.classpath -Dmdep.includeScope=test
	java -Xmx2g -cp "target/bench-classes:target/classes:$$(cat target/bench-test.classpath)" ReconcilerBench $(BENCH_RECONCILER_ARGS)

# The service at 150,000 pods (bench/scale): the mock API server, the packaged service with the
# image's JVM flags for the chart's memory limit, and the bench in three processes; first
# programming, resyncs, memory, 300+300 pods/s of churn and a rolling restart. About 15 minutes;
# not part of `make test`. BENCH_SCALE_ARGS="20000 100 60" for a quick run; BENCH_SCALE_OPTS=
# "-Dbench.java=<another java> -Dbench.jvmArgs=<more flags>" runs the service otherwise.
bench-scale: deps certs build
	$(MVNW) -q dependency:build-classpath -Dmdep.outputFile=target/bench-test.classpath -Dmdep.includeScope=test
	java -Xmx3g -Djava.util.logging.manager=org.jboss.logmanager.LogManager $(BENCH_SCALE_OPTS) -cp "target/bench-classes:target/classes:$$(cat target/bench-test.classpath)" ScaleBench $(BENCH_SCALE_ARGS)

# Random faults from a seed against three replicas, the invariants checked all along
# (src/test/java/io/calicowebhook/reconciler/ChaosTest.java); not part of `make test`.
# E.g. make chaos SEED=42 MINUTES=30; the seed and a timeline are printed when an invariant breaks.
SEED    ?= $(shell date +%s)
MINUTES ?= 5
chaos: deps
	$(MVNW) test -Dtest=ChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dchaos.seed=$(SEED) -Dchaos.minutes=$(MINUTES)

clean:
	$(MVNW) -q clean

# End-to-end test on the cluster KUBECONFIG names (docs/development.md "End-to-end test"); not part of `make test`.
# E.g. make e2e E2E_IMAGE=calico-policy-webhook:e2e, or make e2e E2E_ARGS=--dry-run.
e2e:
	e2e/run.sh $(E2E_ARGS)

# Every benchmark, then one table of every figure with its baseline and ratio (bench/README.md).
bench: deps build
	bench/run.sh

# Policy parser speed on 256 KiB annotations, as a ratio to a String.split baseline (not part of `make test`).
bench-policy:
	bench/policy-parse/run.sh

# Admission requests/s, p99, RSS and start-up against nginx over TLS (bench/admission; not part of `make test`).
bench-admission: deps build
	bench/admission/run.sh
