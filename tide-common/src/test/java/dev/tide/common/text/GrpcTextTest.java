package dev.tide.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrpcTextTest {

    @Test
    void messagesArePercentEncodedOutsidePrintableAscii() {
        assertThat(GrpcText.percentEncode("input x: required")).isEqualTo("input x: required");
        assertThat(GrpcText.percentEncode("100% ünlü")).isEqualTo("100%25 %C3%BCnl%C3%BC");
        assertThat(GrpcText.percentEncode("a\nb")).isEqualTo("a%0Ab");
    }

    @Test
    void grpcContentTypes() {
        assertThat(GrpcText.isGrpc("application/grpc")).isTrue();
        assertThat(GrpcText.isGrpc("application/grpc+proto")).isTrue();
        assertThat(GrpcText.isGrpc("Application/GRPC")).isTrue();
        assertThat(GrpcText.isGrpc("application/json")).isFalse();
        assertThat(GrpcText.isGrpc(null)).isFalse();
    }
}
