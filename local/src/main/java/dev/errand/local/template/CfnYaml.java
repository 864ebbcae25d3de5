package dev.errand.local.template;

import java.io.Reader;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a CloudFormation template written in YAML. The short-form intrinsics ({@code !Ref}, {@code !GetAtt},
 * {@code !Sub}, ...) are YAML tags a stock parser refuses; each is read into its long form
 * ({@code {"Ref": ...}}, {@code {"Fn::GetAtt": [...]}}), so the rest of the code sees one shape.
 */
public final class CfnYaml {

    private static final List<String> FUNCTIONS = List.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
            "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
            "Contains", "EachMemberEquals", "ValueOf", "ToJsonString", "Length");

    private CfnYaml() {}

    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Reader yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return (Map<String, Object>) new Yaml(new Constructor(options)).load(yaml);
    }

    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            for (String function : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + function), new Intrinsic("Fn::" + function));
            }
        }

        /** Builds {@code {key: value}} from a tagged scalar, sequence or mapping. */
        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value = switch (node) {
                    case ScalarNode s when key.equals("Fn::GetAtt") -> List.of(constructScalar(s).split("\\.", 2));
                    case ScalarNode s -> constructScalar(s);
                    case SequenceNode s -> constructSequence(s);
                    case MappingNode m -> constructMapping(m);
                    default -> throw new IllegalArgumentException("cannot read " + node.getTag() + " at " + node.getStartMark());
                };
                return Map.of(key, value);
            }
        }
    }
}
