package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calicowebhook.lint.LintJar;
import org.junit.jupiter.api.Test;

/**
 * {@code helm template ... | java -jar target/calico-policy-lint.jar -}: the linter on real Helm
 * output (comments, {@code ---} separators, many kinds), rendered from this chart.
 */
class ChartLintIT {
  private static final String BROKEN_WORKLOAD =
      """
      ---
      # Source: shop/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        template:
          metadata:
            annotations:
              projectcalico.org/policy: "allow tcp to ports 80,Y"
          spec:
            containers: [{name: shop, image: "shop:1"}]
      """;

  @Test
  void findsNothingInTheChartItself() throws Exception {
    LintJar lint = LintJar.run(Chart.withEtcd().renderText(), "-");

    assertEquals("", lint.out());
    assertEquals("", lint.err());
    assertEquals(0, lint.exitCode());
  }

  @Test
  void pointsAtTheBrokenWorkloadInHelmOutput() throws Exception {
    String rendered = Chart.withEtcd().renderText();
    String stream = rendered.endsWith("\n") ? rendered : rendered + "\n";
    long before = stream.lines().count();

    LintJar lint = LintJar.run(stream + BROKEN_WORKLOAD, "-");

    assertEquals(
        "<stdin>:"
            + (before + 11)
            + ":58: error: Deployment shop: spec.template.metadata.annotations"
            + "[projectcalico.org/policy]: rule 1, column 23: found 'Y' in port list, expected a"
            + " port number (0-65535) or a range N:M\n",
        lint.out());
    assertEquals(1, lint.exitCode());
  }
}
