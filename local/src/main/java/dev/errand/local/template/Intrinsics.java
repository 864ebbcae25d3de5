package dev.errand.local.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves CloudFormation intrinsic functions against the local runtime: Ref, GetAtt, Sub, If, Equals,
 * Not, And, Or, Contains, FindInMap, Join, Select, Split and Condition; {@code AWS::NoValue} drops the key.
 */
public final class Intrinsics {

    /** What Ref and GetAtt of a resource mean locally (a queue's URL, its ARN, ...). */
    public interface Resources {
        Resources NONE = new Resources() {
            @Override
            public Optional<String> ref(String logicalId) {
                return Optional.empty();
            }

            @Override
            public Optional<String> attribute(String logicalId, String attribute) {
                return Optional.empty();
            }
        };

        Optional<String> ref(String logicalId);

        Optional<String> attribute(String logicalId, String attribute);
    }

    /** The pseudo parameters, as the local runtime presents itself. */
    public static final Map<String, String> PSEUDO = Map.of(
            "AWS::Region", "us-east-1",
            "AWS::AccountId", "000000000000",
            "AWS::Partition", "aws",
            "AWS::StackName", "errand-local",
            "AWS::URLSuffix", "amazonaws.com",
            "AWS::StackId", "arn:aws:cloudformation:us-east-1:000000000000:stack/errand-local/local");

    private static final Object NO_VALUE = new Object();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]+)}");

    private final Template template;
    private final Resources resources;

    Intrinsics(Template template, Resources resources) {
        this.template = template;
        this.resources = resources;
    }

    /** The node with every intrinsic replaced by its value. */
    public Object resolve(Object node) {
        Object value = evaluate(node);
        return value == NO_VALUE ? null : value;
    }

    /** A resolved scalar as text (numbers without a trailing ".0"). */
    public String text(Object node) {
        return Template.scalar(resolve(node));
    }

    public boolean condition(Object node) {
        return switch (evaluate(node)) {
            case Boolean b -> b;
            case String s -> Boolean.parseBoolean(s);
            case Object other -> throw new IllegalArgumentException("not a condition: " + other);
        };
    }

    public boolean namedCondition(String name) {
        Object definition = Template.section(template.root(), "Conditions").get(name);
        if (definition == null) {
            throw new IllegalArgumentException("no condition named " + name);
        }
        return condition(definition);
    }

    private Object evaluate(Object node) {
        if (node instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> only = map.entrySet().iterator().next();
            String key = String.valueOf(only.getKey());
            if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                return function(key, only.getValue());
            }
        }
        return switch (node) {
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> {
                    Object value = evaluate(v);
                    if (value != NO_VALUE) {
                        out.put(String.valueOf(k), value);
                    }
                });
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                list.stream().map(this::evaluate).filter(v -> v != NO_VALUE).forEach(out::add);
                yield out;
            }
            case null, default -> node;
        };
    }

    private Object function(String name, Object argument) {
        List<?> args = argument instanceof List<?> l ? l : List.of();
        return switch (name) {
            case "Ref" -> ref(String.valueOf(argument));
            case "Condition" -> namedCondition(String.valueOf(argument));
            case "Fn::GetAtt" -> {
                String id = String.valueOf(args.get(0));
                String attribute = String.valueOf(evaluate(args.get(1)));
                yield resources.attribute(id, attribute)
                        .orElseThrow(() -> new IllegalArgumentException("cannot resolve !GetAtt " + id + "." + attribute + " locally"));
            }
            case "Fn::Sub" -> sub(argument);
            case "Fn::If" -> namedCondition(String.valueOf(args.get(0))) ? evaluate(args.get(1)) : evaluate(args.get(2));
            case "Fn::Equals" -> text(args.get(0)).equals(text(args.get(1)));
            case "Fn::Not" -> !condition(args.get(0));
            case "Fn::And" -> args.stream().allMatch(this::condition);
            case "Fn::Or" -> args.stream().anyMatch(this::condition);
            case "Fn::Contains" -> ((List<?>) evaluate(args.get(0))).stream().map(Template::scalar).toList().contains(text(args.get(1)));
            case "Fn::FindInMap" -> findInMap(args);
            case "Fn::Join" -> String.join(text(args.get(0)), ((List<?>) evaluate(args.get(1))).stream().map(Template::scalar).toList());
            case "Fn::Select" -> ((List<?>) evaluate(args.get(1))).get(Integer.parseInt(text(args.get(0))));
            case "Fn::Split" -> List.of(text(args.get(1)).split(Pattern.quote(text(args.get(0))), -1));
            default -> throw new IllegalArgumentException(name + " is not supported by the local runtime");
        };
    }

    private Object ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (PSEUDO.containsKey(name)) {
            return PSEUDO.get(name);
        }
        if (template.parameters().containsKey(name)) {
            String value = template.parameter(name);
            // a list parameter's Ref is the list: "" is one empty item, as in CloudFormation
            return template.parameterType(name).equals("CommaDelimitedList") || template.parameterType(name).startsWith("List<")
                    ? List.of(value.split(",", -1)).stream().map(String::trim).toList()
                    : value;
        }
        return resources.ref(name).orElseThrow(() -> new IllegalArgumentException("cannot resolve !Ref " + name + " locally"));
    }

    private String sub(Object argument) {
        String text;
        Map<String, Object> variables = Map.of();
        if (argument instanceof List<?> list) {
            text = String.valueOf(list.get(0));
            variables = Template.asMap(list.get(1));
        } else {
            text = String.valueOf(argument);
        }
        Map<String, Object> vars = variables;
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2);
            String value;
            if (!m.group(1).isEmpty()) {
                value = "${" + name + "}";
            } else if (vars.containsKey(name)) {
                value = text(vars.get(name));
            } else if (name.contains(".") && !PSEUDO.containsKey(name)) {
                String[] parts = name.split("\\.", 2);
                value = resources.attribute(parts[0], parts[1])
                        .orElseThrow(() -> new IllegalArgumentException("cannot resolve ${" + name + "} locally"));
            } else {
                value = Template.scalar(ref(name));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private Object findInMap(List<?> args) {
        Map<String, Object> map = Template.asMap(Template.section(template.root(), "Mappings").get(text(args.get(0))));
        Object value = Template.asMap(map.get(text(args.get(1)))).get(text(args.get(2)));
        if (value == null) {
            throw new IllegalArgumentException("no mapping " + args.stream().map(this::text).toList());
        }
        return value;
    }
}
