package dev.tide.modelserver.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcWireTest {

    @Test
    void timeoutsInEachUnitAndMalformedOnes() {
        assertThat(GrpcWire.timeoutNanos("250m")).isEqualTo(250_000_000L);
        assertThat(GrpcWire.timeoutNanos("1H")).isEqualTo(3_600_000_000_000L);
        assertThat(GrpcWire.timeoutNanos("2M")).isEqualTo(120_000_000_000L);
        assertThat(GrpcWire.timeoutNanos("3S")).isEqualTo(3_000_000_000L);
        assertThat(GrpcWire.timeoutNanos("7u")).isEqualTo(7_000L);
        assertThat(GrpcWire.timeoutNanos("9n")).isEqualTo(9L);
        assertThat(GrpcWire.timeoutNanos("99999999H")).as("as good as no deadline").isEqualTo(Long.MAX_VALUE);
        assertThat(GrpcWire.timeoutNanos("123456789S")).as("more than 8 digits").isEqualTo(-1);
        assertThat(GrpcWire.timeoutNanos("10")).as("no unit").isEqualTo(-1);
        assertThat(GrpcWire.timeoutNanos("m")).isEqualTo(-1);
        assertThat(GrpcWire.timeoutNanos("-1S")).isEqualTo(-1);
        assertThat(GrpcWire.timeoutNanos("5s")).as("units are case-sensitive").isEqualTo(-1);
    }
}
