package dev.tide.api.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({"250m, 0.25", "2, 2", "1.5, 1.5", "64Mi, 67108864", "1Gi, 1073741824", "1G, 1000000000", "2e3, 2000",
            "1E2, 100", "1Ei, 1152921504606846976", "1E, 1000000000000000000", "100n, 0.0000001", ".5, 0.5"})
    void parses(String text, double value) {
        assertThat(Quantity.parse(text)).contains(value);
    }

    @ParameterizedTest
    @CsvSource({"abc", "1x", "Mi", "1 Mi", "--1"})
    void refuses(String text) {
        assertThat(Quantity.parse(text)).isEmpty();
    }

    @Test
    void requestsFallBackOnLimits() throws Exception {
        var c = new ObjectMapper().readTree("{\"resources\":{\"requests\":{\"cpu\":\"500m\"},\"limits\":{\"cpu\":\"2\",\"memory\":\"64Mi\"}}}");
        assertThat(ResourceRequests.of(c)).isEqualTo(new ResourceRequests(0.5, 64 * 1024 * 1024));
        assertThat(ResourceRequests.of(new ObjectMapper().readTree("{}"))).isEqualTo(ResourceRequests.NONE);
    }
}
