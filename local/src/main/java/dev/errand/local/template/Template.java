package dev.errand.local.template;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * template.yaml as the local runtime and the template checks read it: parameters (defaults, overrides,
 * constraints and rules checked as CloudFormation would), resources of a type, and SAM's Globals merged
 * into each function. Intrinsic functions are resolved by {@link Intrinsics} against what runs locally.
 */
public final class Template {

    private final Map<String, Object> root;
    private final Map<String, String> parameters;

    private Template(Map<String, Object> root, Map<String, String> parameters) {
        this.root = root;
        this.parameters = parameters;
    }

    public static Template read(Path file, Map<String, String> overrides) {
        try (Reader reader = Files.newBufferedReader(file)) {
            return of(CfnYaml.read(reader), overrides);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static Template of(Map<String, Object> root, Map<String, String> overrides) {
        Map<String, Object> declared = section(root, "Parameters");
        List<String> problems = new ArrayList<>();
        overrides.keySet().stream().filter(k -> !declared.containsKey(k)).sorted()
                .forEach(k -> problems.add("no parameter named " + k + " (declared: " + String.join(", ", new TreeMap<>(declared).keySet()) + ")"));
        Map<String, String> values = new LinkedHashMap<>();
        declared.forEach((name, definition) -> {
            Map<String, Object> def = asMap(definition);
            Optional<String> value = Optional.ofNullable(overrides.get(name)).or(() -> Optional.ofNullable(def.get("Default")).map(Template::scalar));
            if (value.isEmpty()) {
                problems.add("parameter " + name + " has no default; pass it with --parameter-overrides " + name + "=...");
                return;
            }
            constraintProblem(name, def, value.get()).ifPresent(problems::add);
            values.put(name, value.get());
        });
        Template template = new Template(root, values);
        if (problems.isEmpty()) {
            problems.addAll(template.ruleProblems());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return template;
    }

    public Map<String, Object> root() {
        return root;
    }

    public Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    public String parameter(String name) {
        return Optional.ofNullable(parameters.get(name)).orElseThrow(() -> new IllegalArgumentException("no parameter " + name));
    }

    /** A parameter's declared Type: String, Number, CommaDelimitedList, ... */
    public String parameterType(String name) {
        return String.valueOf(asMap(section(root, "Parameters").get(name)).getOrDefault("Type", "String"));
    }

    /** Logical ids and definitions of the resources of one type that exist (their Condition holds), in template order. */
    public Map<String, Map<String, Object>> resources(String type) {
        Intrinsics conditions = intrinsics(Intrinsics.Resources.NONE);
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        section(root, "Resources").forEach((id, definition) -> {
            Map<String, Object> def = asMap(definition);
            boolean exists = !def.containsKey("Condition") || conditions.namedCondition(String.valueOf(def.get("Condition")));
            if (type.equals(def.get("Type")) && exists) {
                found.put(id, def);
            }
        });
        return found;
    }

    /** A resource's Properties, with SAM's Globals merged in for serverless functions (function values win). */
    public Map<String, Object> properties(String logicalId) {
        Map<String, Object> resource = asMap(section(root, "Resources").get(logicalId));
        Map<String, Object> properties = asMap(resource.getOrDefault("Properties", Map.of()));
        if ("AWS::Serverless::Function".equals(resource.get("Type"))) {
            Map<String, Object> globals = asMap(section(root, "Globals").getOrDefault("Function", Map.of()));
            return merge(globals, properties);
        }
        return properties;
    }

    /** The resolver for this template's intrinsics, given how to answer Ref and GetAtt for resources. */
    public Intrinsics intrinsics(Intrinsics.Resources resources) {
        return new Intrinsics(this, resources);
    }

    private List<String> ruleProblems() {
        List<String> problems = new ArrayList<>();
        Intrinsics intrinsics = intrinsics(Intrinsics.Resources.NONE);
        section(root, "Rules").forEach((name, definition) -> {
            Map<String, Object> rule = asMap(definition);
            boolean applies = !rule.containsKey("RuleCondition") || intrinsics.condition(rule.get("RuleCondition"));
            if (applies) {
                for (Object assertion : (List<?>) rule.getOrDefault("Assertions", List.of())) {
                    Map<String, Object> a = asMap(assertion);
                    if (!intrinsics.condition(a.get("Assert"))) {
                        problems.add("rule " + name + ": " + a.getOrDefault("AssertDescription", "assertion failed"));
                    }
                }
            }
        });
        return problems;
    }

    private static Optional<String> constraintProblem(String name, Map<String, Object> def, String value) {
        if (def.get("AllowedValues") instanceof List<?> allowed && allowed.stream().map(Template::scalar).noneMatch(value::equals)) {
            return Optional.of("parameter " + name + "=" + value + " is not one of " + allowed);
        }
        if ("Number".equals(def.get("Type"))) {
            double number;
            try {
                number = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                return Optional.of("parameter " + name + "=" + value + " is not a number");
            }
            if (def.get("MinValue") instanceof Number min && number < min.doubleValue()) {
                return Optional.of("parameter " + name + "=" + value + " is below its MinValue " + min);
            }
            if (def.get("MaxValue") instanceof Number max && number > max.doubleValue()) {
                return Optional.of("parameter " + name + "=" + value + " is above its MaxValue " + max);
            }
        }
        if (def.get("AllowedPattern") instanceof String pattern && !Pattern.matches(pattern, value)) {
            return Optional.of("parameter " + name + "=" + value + " does not match " + pattern);
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        over.forEach((k, v) -> merged.merge(k, v, (a, b) -> a instanceof Map && b instanceof Map
                ? merge((Map<String, Object>) a, (Map<String, Object>) b) : b));
        return merged;
    }

    static Map<String, Object> section(Map<String, Object> root, String name) {
        return asMap(root.getOrDefault(name, Map.of()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object node) {
        return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static String scalar(Object value) {
        return value instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue()) : String.valueOf(value);
    }
}
