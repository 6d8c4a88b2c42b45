package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes are built here field by field, as Kubernetes' generated marshallers write them (every string field, empty too). */
class ProtobufObjectsTest {

    private static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto bytes(int field, byte[] b) {
            varint((long) field << 3 | 2).varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto p) {
            return bytes(field, p.out.toByteArray());
        }

        Proto entry(int field, String k, String v) {
            return message(field, new Proto().string(1, k).string(2, v));
        }

        byte[] envelope(String kind) {
            Proto unknown = new Proto().message(1, new Proto().string(1, "v1").string(2, kind)).bytes(2, out.toByteArray())
                    .string(3, "").string(4, "");
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(new byte[] {0x6b, 0x38, 0x73, 0x00});
            b.writeBytes(unknown.out.toByteArray());
            return b.toByteArray();
        }
    }

    private static Proto meta(String name) {
        return new Proto().string(1, name).string(2, "").string(3, "").string(4, "").string(5, "").string(6, "")
                .varint(7 << 3).varint(0).message(8, new Proto()).entry(11, "app", "x");
    }

    @Test
    void readsTheSecretKubectlCreateSends() {
        byte[] body = new Proto().message(1, meta("s1")).entry(2, "pw", "hunter2").string(3, "Opaque").envelope("Secret");
        assertThat(ProtobufObjects.decode(body).toString()).isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
                + "{\"name\":\"s1\",\"labels\":{\"app\":\"x\"}},\"data\":{\"pw\":\"aHVudGVyMg==\"},\"type\":\"Opaque\"}");
    }

    @Test
    void readsAConfigMap() {
        byte[] body = new Proto().message(1, meta("c1")).entry(2, "a", "b").entry(2, "x", "yy").envelope("ConfigMap");
        assertThat(ProtobufObjects.decode(body).path("data").toString()).isEqualTo("{\"a\":\"b\",\"x\":\"yy\"}");
    }

    @Test
    void refusesWhatItDoesNotRead() {
        assertThatThrownBy(() -> ProtobufObjects.decode(new Proto().message(1, meta("d")).envelope("Deployment")))
                .hasMessageContaining("only for v1 Secrets and ConfigMaps");
        assertThatThrownBy(() -> ProtobufObjects.decode(new Proto().message(1, new Proto().string(1, "s").message(13, new Proto()))
                .envelope("Secret"))).hasMessage("metadata field 13 is not read from protobuf; send application/json");
        assertThatThrownBy(() -> ProtobufObjects.decode("{\"kind\":\"Secret\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("without the k8s\\0 prefix");
        byte[] good = new Proto().message(1, meta("s1")).entry(2, "pw", "hunter2").envelope("Secret");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> ProtobufObjects.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }
}
