package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicaAddressTest {

    @Test
    void anAddressAndPortPackIntoOneLongAndBack() {
        long a = ReplicaAddress.of("127.0.0.1", 8080);
        assertThat(a).isEqualTo(0x7F0000011F90L);
        assertThat(ReplicaAddress.host(a)).isEqualTo("127.0.0.1");
        assertThat(ReplicaAddress.port(a)).isEqualTo(8080);
        long pod = ReplicaAddress.of("10.244.255.3", 65535);
        assertThat(ReplicaAddress.host(pod)).isEqualTo("10.244.255.3");
        assertThat(ReplicaAddress.socket(pod).getAddress().getHostAddress()).isEqualTo("10.244.255.3");
        assertThat(ReplicaAddress.socket(pod).getPort()).isEqualTo(65535);
        assertThat(ReplicaAddress.of("255.255.255.255", 1)).as("never negative: -1 means none").isPositive();
    }

    @Test
    void whatIsNotAnIpv4AddressAndPortIsRefusedByName() {
        assertThatThrownBy(() -> ReplicaAddress.of("fd00::1", 80)).hasMessage("host fd00::1: expected an IPv4 address such as 10.0.0.7");
        assertThatThrownBy(() -> ReplicaAddress.of("10.0.0.256", 80)).hasMessageStartingWith("host 10.0.0.256");
        assertThatThrownBy(() -> ReplicaAddress.of("10.0..1", 80)).hasMessageStartingWith("host 10.0..1");
        assertThatThrownBy(() -> ReplicaAddress.of("10.0.0.1", 0)).hasMessage("port 0: expected 1..65535");
    }
}
