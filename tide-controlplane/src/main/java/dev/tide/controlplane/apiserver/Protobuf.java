package dev.tide.controlplane.apiserver;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protocol buffers wire format, as much of it as an OpenAPI v2 document needs: strings, booleans and nested
 * messages, each a field number and wire type in a varint key ({@code field << 3 | type}), then the value. Worked
 * example: field 1 holding "2.0" is {@code 0x0a 0x03 '2' '.' '0'} (key 1 << 3 | 2, length 3).
 */
final class Protobuf {

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf bool(int field, boolean value) {
        varint((long) field << 3 | VARINT);
        varint(value ? 1 : 0);
        return this;
    }

    Protobuf message(int field, Protobuf message) {
        return bytes(field, message.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private Protobuf bytes(int field, byte[] value) {
        varint((long) field << 3 | LENGTH_DELIMITED);
        varint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    /** Seven bits a byte, least significant first, the high bit set on all but the last: 300 is 0xac 0x02. */
    private void varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
