package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.config.CalicoConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The one table of settings in docs/configuration.md against every place a setting lives: the
 * {@code @ConfigMapping} {@link CalicoConfig}, application.properties, the chart's values.yaml and
 * values.schema.json, and the environment its Deployment sets. A setting in one of them but not in
 * the table, or a default that differs, fails here.
 */
class SettingsTableTest {
  private static final Path TABLE = Path.of("docs", "configuration.md");
  private static final Path PROPERTIES =
      Path.of("src", "main", "resources", "application.properties");
  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Path CHART = Path.of("helm", "calico-policy-webhook");
  private static final Pattern ENV_REFERENCE = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*):(.*)}$");
  private static final Pattern TICKED = Pattern.compile("`([^`]*)`");
  private static final Pattern CHART_DEFAULT = Pattern.compile("chart default `([^`]*)`");
  private static final Pattern ENV_ENTRY =
      Pattern.compile("(?m)^\\s*- name: ([A-Z][A-Z0-9_]*)\\s*$");
  private static final String NONE = "—";

  /**
   * One row of the table; {@code property} and {@code helmValue} null for "—", defaults null when
   * unset.
   */
  record Row(String property, String env, String helmValue, String helmDefault, String value) {}

  /** A property of CalicoConfig and its {@code @WithDefault}, null when it has none. */
  record Mapped(String property, String value) {}

  /** A {@code property=${ENV:default}} line of application.properties; default null when empty. */
  record EnvReference(String property, String env, String value) {}

  @Test
  void theTableHasEveryPropertyOfTheConfigMapping() throws IOException {
    assertEquals(List.of(), missingFromTable(table(), configMapping()));
  }

  @Test
  void everyRowNamesAPropertyOrVariableThatExists() throws IOException {
    assertEquals(List.of(), unknownRows(table(), configMapping(), envReferences()));
  }

  @Test
  void defaultsAndVariablesAgreeWithTheCodeAndTheProperties() throws IOException {
    assertEquals(List.of(), disagreements(table(), configMapping(), envReferences()));
  }

  @Test
  void everyHelmValueExistsInValuesAndSchemaWithTheSameDefault() throws IOException {
    assertEquals(List.of(), chartDisagreements(table(), values(), schema()));
  }

  @Test
  void everyVariableTheDeploymentSetsIsInTheTable() throws IOException {
    List<String> set = deploymentEnv();
    assertFalse(set.isEmpty(), "no env entries found in templates/deployment.yaml");
    assertEquals(List.of(), missingVariables(table(), set));
  }

  /**
   * The checks themselves: a removed row, a changed default and a renamed value are each caught.
   */
  @Test
  void aMissingRowAChangedDefaultOrAnUnknownHelmValueIsCaught() throws IOException {
    List<Row> rows = table();
    List<Mapped> mapped = configMapping();
    List<EnvReference> references = envReferences();

    List<Row> withoutRow = new ArrayList<>(rows);
    withoutRow.removeIf(r -> "calico.worker.in-flight".equals(r.property()));
    assertEquals(
        List.of("calico.worker.in-flight is a property of CalicoConfig but not in the table"),
        missingFromTable(withoutRow, mapped));

    List<Row> changed = replace(rows, "calico.reconciler.resync-period", r -> withValue(r, "6m"));
    List<String> problems = disagreements(changed, mapped, references);
    assertEquals(2, problems.size(), problems::toString);

    List<Row> renamed =
        replace(
            rows,
            "calico.default-policy",
            r -> new Row(r.property(), r.env(), "config.policy", r.helmDefault(), r.value()));
    assertEquals(
        List.of(
            "config.policy is not in values.yaml", "config.policy is not in values.schema.json"),
        chartDisagreements(renamed, values(), schema()));

    List<Row> withoutEnv = new ArrayList<>(rows);
    withoutEnv.removeIf(r -> "ETCD_PASSWORD".equals(r.env()));
    assertEquals(
        List.of("ETCD_PASSWORD is set by the Deployment but not in the table"),
        missingVariables(withoutEnv, deploymentEnv()));
  }

  // ---- the checks ----

  private static List<String> missingFromTable(List<Row> rows, List<Mapped> mapped) {
    List<String> problems = new ArrayList<>();
    for (Mapped m : mapped) {
      if (row(rows, m.property()) == null) {
        problems.add(m.property() + " is a property of CalicoConfig but not in the table");
      }
    }
    return problems;
  }

  private static List<String> unknownRows(
      List<Row> rows, List<Mapped> mapped, List<EnvReference> references) throws IOException {
    List<String> problems = new ArrayList<>();
    String sources = sources();
    for (Row row : rows) {
      if (row.property() == null) {
        if (!sources.contains('"' + row.env() + '"')) {
          problems.add(row.env() + " has no property and no source reads it");
        }
      } else if (mapped(mapped, row.property()) == null
          && reference(references, row.property()) == null) {
        problems.add(row.property() + " is neither in CalicoConfig nor in application.properties");
      }
    }
    return problems;
  }

  private static List<String> disagreements(
      List<Row> rows, List<Mapped> mapped, List<EnvReference> references) {
    List<String> problems = new ArrayList<>();
    for (EnvReference reference : references) {
      Row row = row(rows, reference.property());
      if (row == null) {
        problems.add(reference.property() + " of application.properties is not in the table");
        continue;
      }
      if (!reference.env().equals(row.env())) {
        problems.add(
            row.property()
                + ": application.properties reads "
                + reference.env()
                + ", the table says "
                + row.env());
      }
      if (!Objects.equals(reference.value(), row.value())) {
        problems.add(
            row.property()
                + ": application.properties defaults to "
                + reference.value()
                + ", the table to "
                + row.value());
      }
    }
    for (Mapped m : mapped) {
      Row row = row(rows, m.property());
      if (row == null) {
        continue;
      }
      if (!Objects.equals(m.value(), row.value())) {
        problems.add(
            m.property() + ": @WithDefault is " + m.value() + ", the table says " + row.value());
      }
      if (reference(references, m.property()) == null
          && !canonicalEnv(m.property()).equals(row.env())) {
        problems.add(
            m.property()
                + " is set as "
                + canonicalEnv(m.property())
                + ", the table says "
                + row.env());
      }
    }
    return problems;
  }

  private static List<String> chartDisagreements(
      List<Row> rows, Map<String, Object> values, JsonNode schema) {
    List<String> problems = new ArrayList<>();
    for (Row row : rows) {
      if (row.helmValue() == null) {
        continue;
      }
      String name = row.helmValue();
      String expected = normalize(row.helmDefault() != null ? row.helmDefault() : row.value());
      Object value = values;
      boolean found = true;
      for (String part : name.split("\\.")) {
        if (value instanceof Map<?, ?> map && map.containsKey(part)) {
          value = map.get(part);
        } else {
          found = false;
        }
      }
      if (!found) {
        problems.add(name + " is not in values.yaml");
      } else if (!expected.equals(normalize(value))) {
        problems.add(name + ": values.yaml has " + normalize(value) + ", the table " + expected);
      }
      JsonNode node = schema;
      for (String part : name.split("\\.")) {
        node = node.path("properties").path(part);
      }
      if (node.isMissingNode()) {
        problems.add(name + " is not in values.schema.json");
      } else if (node.has("default") && !expected.equals(normalize(node.get("default").asText()))) {
        problems.add(
            name
                + ": values.schema.json defaults to "
                + node.get("default")
                + ", the table "
                + expected);
      } else if (node.has("enum") && found && !texts(node.get("enum")).contains(normalize(value))) {
        problems.add(
            name + ": its default " + value + " is not one of the schema's " + node.get("enum"));
      }
    }
    return problems;
  }

  private static List<String> missingVariables(List<Row> rows, List<String> deploymentEnv) {
    List<String> problems = new ArrayList<>();
    for (String env : deploymentEnv) {
      if (rows.stream().noneMatch(r -> env.equals(r.env()))) {
        problems.add(env + " is set by the Deployment but not in the table");
      }
    }
    return problems;
  }

  // ---- reading the places ----

  /** The table under "## The settings" in docs/configuration.md. */
  static List<Row> table() throws IOException {
    List<Row> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : Files.readAllLines(TABLE)) {
      if (line.startsWith("| property |")) {
        inTable = true;
      } else if (inTable && !line.startsWith("|")) {
        break;
      } else if (inTable && !line.startsWith("| ---")) {
        rows.add(row(line));
      }
    }
    assertFalse(rows.isEmpty(), "no settings table in " + TABLE);
    return rows;
  }

  private static Row row(String line) {
    String[] cells = line.substring(1, line.lastIndexOf('|')).split("(?<!\\\\)\\|", -1);
    assertEquals(6, cells.length, () -> "not six cells: " + line);
    String helm = cells[2].strip();
    Matcher chartDefault = CHART_DEFAULT.matcher(helm);
    return new Row(
        ticked(cells[0]),
        ticked(cells[1]),
        ticked(helm),
        chartDefault.find() ? chartDefault.group(1) : null,
        "unset".equals(cells[3].strip()) ? null : ticked(cells[3]));
  }

  /** The first `code` of a cell; null for "—". */
  private static String ticked(String cell) {
    if (cell.strip().equals(NONE)) {
      return null;
    }
    Matcher ticked = TICKED.matcher(cell);
    if (!ticked.find()) {
      throw new AssertionError("no `value` in table cell: " + cell);
    }
    return ticked.group(1);
  }

  /** Every leaf of the {@code @ConfigMapping}, named as SmallRye names it. */
  static List<Mapped> configMapping() {
    List<Mapped> mapped = new ArrayList<>();
    collect(
        CalicoConfig.class, CalicoConfig.class.getAnnotation(ConfigMapping.class).prefix(), mapped);
    return mapped;
  }

  private static void collect(Class<?> type, String prefix, List<Mapped> mapped) {
    for (Method method : type.getDeclaredMethods()) {
      if (method.isDefault() || method.isSynthetic() || method.getParameterCount() > 0) {
        continue;
      }
      WithName withName = method.getAnnotation(WithName.class);
      String name = prefix + "." + (withName != null ? withName.value() : kebab(method.getName()));
      Class<?> returned = method.getReturnType();
      if (returned.isInterface()
          && returned.getEnclosingClass() != null
          && returned.getName().startsWith(CalicoConfig.class.getName())) {
        collect(returned, name, mapped);
      } else {
        WithDefault withDefault = method.getAnnotation(WithDefault.class);
        mapped.add(new Mapped(name, withDefault != null ? withDefault.value() : null));
      }
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** The environment variable SmallRye reads a property from when nothing maps it. */
  private static String canonicalEnv(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
  }

  static List<EnvReference> envReferences() throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(PROPERTIES)) {
      properties.load(reader);
    }
    List<EnvReference> references = new ArrayList<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      Matcher reference = ENV_REFERENCE.matcher(properties.getProperty(key).strip());
      if (!key.startsWith("%") && reference.matches()) {
        String value = reference.group(2).isEmpty() ? null : reference.group(2);
        references.add(new EnvReference(key, reference.group(1), value));
      }
    }
    return references;
  }

  private static Map<String, Object> values() throws IOException {
    try (Reader reader = Files.newBufferedReader(CHART.resolve("values.yaml"))) {
      return new Yaml().load(reader);
    }
  }

  private static JsonNode schema() throws IOException {
    return new ObjectMapper().readTree(CHART.resolve("values.schema.json").toFile());
  }

  /** The names of the container's env entries; other names in the template are lowercase. */
  static List<String> deploymentEnv() throws IOException {
    String template = Files.readString(CHART.resolve("templates").resolve("deployment.yaml"));
    List<String> names = new ArrayList<>();
    Matcher entry = ENV_ENTRY.matcher(template);
    while (entry.find()) {
      names.add(entry.group(1));
    }
    return names;
  }

  private static String sources() throws IOException {
    try (var files = Files.walk(SOURCES)) {
      StringBuilder all = new StringBuilder();
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        all.append(Files.readString(file));
      }
      return all.toString();
    }
  }

  // ---- lookups ----

  /** Unset, {@code ""}, {@code []} and {@code {}} are all "nothing"; a list is joined by commas. */
  private static String normalize(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof Collection<?> list) {
      return list.stream().map(SettingsTableTest::normalize).collect(Collectors.joining(","));
    }
    if (value instanceof Map<?, ?> map && map.isEmpty()) {
      return "";
    }
    String text = value.toString();
    return List.of("\"\"", "[]", "{}").contains(text) ? "" : text;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  private static Row row(List<Row> rows, String property) {
    return rows.stream().filter(r -> property.equals(r.property())).findFirst().orElse(null);
  }

  private static Mapped mapped(List<Mapped> mapped, String property) {
    return mapped.stream().filter(m -> m.property().equals(property)).findFirst().orElse(null);
  }

  private static EnvReference reference(List<EnvReference> references, String property) {
    return references.stream().filter(r -> r.property().equals(property)).findFirst().orElse(null);
  }

  private static Row withValue(Row row, String value) {
    return new Row(row.property(), row.env(), row.helmValue(), row.helmDefault(), value);
  }

  private static List<Row> replace(List<Row> rows, String property, UnaryOperator<Row> change) {
    assertFalse(row(rows, property) == null, "no row " + property);
    return rows.stream().map(r -> property.equals(r.property()) ? change.apply(r) : r).toList();
  }
}
