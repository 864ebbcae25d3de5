package dev.errand.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Dead letters group by their reason without the provider's answer. */
class ReasonGroupsTest {

    @Test
    void aProvidersAnswerDoesNotSplitAGroup() {
        assertThat(ReasonGroups.key("HTTP 400: {\"status\":400,\"call\":1}")).isEqualTo("HTTP 400");
        assertThat(ReasonGroups.key("HTTP 422: Unprocessable: the email is not valid")).isEqualTo("HTTP 422");
        assertThat(ReasonGroups.key("gave up after 12 attempts; last: HTTP 503: {\"error\":\"maintenance\"}"))
                .isEqualTo("gave up after 12 attempts; last: HTTP 503");
    }

    @Test
    void reasonsWithoutAStatusKeepTheirWordsUpToAQuotedAnswer() {
        assertThat(ReasonGroups.key("gave up after 3 attempts; last: timed out after 10000 ms"))
                .isEqualTo("gave up after 3 attempts; last: timed out after 10000 ms");
        assertThat(ReasonGroups.key("unreadable message: {\"v\":9}")).isEqualTo("unreadable message");
        assertThat(ReasonGroups.key("target 'old-crm' is not configured")).isEqualTo("target 'old-crm' is not configured");
        assertThat(ReasonGroups.key("x".repeat(200))).hasSize(ReasonGroups.MAX_KEY_CHARS).endsWith("...");
    }
}
