package dev.errand.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.JobRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecordRulesTest {

    @Test
    void theSameRequestHashesTheSameWhateverItsKeyOrderOrHeaderCase() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-A", "1");
        headers.put("x-b", "2");
        Map<String, String> reordered = new LinkedHashMap<>();
        reordered.put("X-B", "2");
        reordered.put("x-a", "1");
        JobRequest one = new JobRequest("crm", HttpMethod.POST, "/c", headers, Optional.of("{\"a\":1,\"b\":[1,{\"y\":2,\"x\":1}]}"), 0);
        JobRequest same = new JobRequest("crm", HttpMethod.POST, "/c", reordered, Optional.of("{\"b\":[1,{\"x\":1,\"y\":2}],\"a\":1}"), 0);
        JobRequest other = new JobRequest("crm", HttpMethod.POST, "/c", headers, Optional.of("{\"a\":2}"), 0);
        JobRequest later = new JobRequest("crm", HttpMethod.POST, "/c", headers, Optional.of("{\"a\":1,\"b\":[1,{\"y\":2,\"x\":1}]}"), 5);

        assertThat(RequestHash.of(one)).isEqualTo(RequestHash.of(same)).hasSize(64);
        assertThat(RequestHash.of(one)).isNotEqualTo(RequestHash.of(other)).isNotEqualTo(RequestHash.of(later));
    }

    @Test
    void aKeyIsOneTo255PrintableAsciiCharacters() {
        assertThat(IdempotencyKey.problem("order-1234/confirm email")).isEmpty();
        assertThat(IdempotencyKey.problem("x".repeat(255))).isEmpty();
        assertThat(IdempotencyKey.problem("")).contains("the Idempotency-Key header must be 1 to 255 characters long, was 0");
        assertThat(IdempotencyKey.problem("x".repeat(256))).isPresent();
        assertThat(IdempotencyKey.problem("clé")).contains("the Idempotency-Key header must be printable ASCII");
        assertThat(IdempotencyKey.problem("a\tb")).isPresent();
        assertThat(new IdempotencyKey("me", "k").item(3)).isEqualTo(new IdempotencyKey("me", "k#3"));
    }
}
