package dev.tide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.api.config.DefaultsConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A revision's request timeout as the ingress applies it: its own, else the default, never above today's maximum. */
class RequestTimeoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode revision(String spec) throws Exception {
        return JSON.readTree("{\"spec\": " + spec + "}");
    }

    @Test
    void aRevisionsOwnTimeoutApplies() throws Exception {
        assertThat(RoutingFeed.requestTimeout(revision("{\"timeoutSeconds\": 42}"), DefaultsConfig.DEFAULTS))
                .isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void unsetOrZeroTakesTheConfiguredDefault() throws Exception {
        DefaultsConfig defaults = new DefaultsConfig(120, 600, 0, 1000, "user-container");
        assertThat(RoutingFeed.requestTimeout(revision("{}"), defaults)).isEqualTo(Duration.ofSeconds(120));
        assertThat(RoutingFeed.requestTimeout(revision("{\"timeoutSeconds\": 0}"), defaults)).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void aMaximumLoweredAfterAdmissionCapsTheTimeout() throws Exception {
        // Admitted under a maximum of 1200; the maximum is 600 now.
        DefaultsConfig lowered = new DefaultsConfig(300, 600, 0, 1000, "user-container");
        assertThat(RoutingFeed.requestTimeout(revision("{\"timeoutSeconds\": 900}"), lowered)).isEqualTo(Duration.ofSeconds(600));
    }
}
