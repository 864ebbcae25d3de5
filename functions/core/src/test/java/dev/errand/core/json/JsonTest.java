package dev.errand.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void keepsNumbersExactAndKeysInOrder() {
        Object tree = ((Json.Parsed.Value) Json.parse("{\"b\":1.10,\"a\":12345678901234567890,\"c\":[true,null]}")).value();
        assertThat(((Map<?, ?>) tree).get("b")).isEqualTo(new BigDecimal("1.10"));
        assertThat(Json.write(tree)).isEqualTo("{\"b\":1.10,\"a\":12345678901234567890,\"c\":[true,null]}");
    }

    @Test
    void saysWhereTextIsMalformed() {
        assertThat(((Json.Parsed.Malformed) Json.parse("{\"a\":}")).detail()).contains("line 1, column 6");
        assertThat(((Json.Parsed.Malformed) Json.parse("")).detail()).isEqualTo("the document is empty");
        assertThat(((Json.Parsed.Malformed) Json.parse("{} {}")).detail()).startsWith("unexpected content after the JSON value");
        assertThat(((Json.Parsed.Malformed) Json.parse("{\"a\":1,\"a\":2}")).detail()).contains("Duplicate field 'a'");
    }

    @Test
    void saysInItsOwnWordsWhereTruncatedJsonEndsWithoutTheParsersInternals() {
        String object = ((Json.Parsed.Malformed) Json.parse("{\"a\":1")).detail();
        String array = ((Json.Parsed.Malformed) Json.parse("[1,\n2")).detail();

        assertThat(object).isEqualTo("the object opened at line 1, column 1 is not closed before the text ends at line 1, column 7");
        assertThat(array).isEqualTo("the array opened at line 1, column 1 is not closed before the text ends at line 2, column 2");
        assertThat(object + array).doesNotContain("Source", "REDACTED", "StreamReadFeature");
    }

    @Test
    void refusesNestingBeyondTheLimit() {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1);
        assertThat(Json.parse(deep)).isInstanceOf(Json.Parsed.Malformed.class);
        String fine = "[".repeat(Json.MAX_NESTING_DEPTH) + "]".repeat(Json.MAX_NESTING_DEPTH);
        assertThat(Json.parse(fine)).isInstanceOf(Json.Parsed.Value.class);
    }

    @Test
    void integersAreWholeNumbersOnly() {
        assertThat(Json.integer(5)).hasValue(5);
        assertThat(Json.integer(new BigDecimal("5.0"))).isEmpty();
        assertThat(Json.integer("5")).isEmpty();
        assertThat(Json.integer(null)).isEmpty();
        assertThat(Json.typeName(List.of())).isEqualTo("array");
    }
}
