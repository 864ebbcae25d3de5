package dev.errand.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the page may ask a redrive to take, and the one-word health of a target. */
class ViewsTest {

    private final Views views = new Views(Clock.systemUTC());

    @Test
    void aRedriveOrderNamesJobsOrAllWithAnOptionalRate() {
        assertThat(views.order(Map.of("all", true, "rate", 20)))
                .isEqualTo(new Views.Order.Valid(new Backend.RedriveOrder(Optional.empty(), Optional.of(20))));
        assertThat(views.order(Map.of("jobIds", List.of("a", "b"))))
                .isEqualTo(new Views.Order.Valid(new Backend.RedriveOrder(Optional.of(List.of("a", "b")), Optional.empty())));
        assertThat(views.order(Map.of())).isInstanceOf(Views.Order.Invalid.class);
        assertThat(views.order(Map.of("all", true, "jobIds", List.of("a")))).isInstanceOf(Views.Order.Invalid.class);
        assertThat(views.order(Map.of("jobIds", List.of()))).isInstanceOf(Views.Order.Invalid.class);
        assertThat(views.order(Map.of("all", true, "rate", 0))).isInstanceOf(Views.Order.Invalid.class);
        assertThat(views.order(Map.of("all", true, "rate", "fast"))).isInstanceOf(Views.Order.Invalid.class);
    }

    @Test
    void healthIsTheLastHourInAWord() {
        assertThat(Views.health(Optional.empty())).isEqualTo("idle");
        assertThat(Views.health(figures(5, 0, 0))).isEqualTo("healthy");
        assertThat(Views.health(figures(0, 3, 0))).isEqualTo("failing");
        assertThat(Views.health(figures(5, 0, 2))).as("a refusal is the request's fault, not the provider's").isEqualTo("healthy");
        assertThat(Views.health(figures(5, 1, 0))).isEqualTo("degraded");
    }

    private static Optional<MetricsReader.TargetFigures> figures(long delivered, long retried, long deadLettered) {
        return Optional.of(new MetricsReader.TargetFigures(delivered, retried, deadLettered, 0, delivered + retried + deadLettered,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    }
}
