package dev.tide.runtime.process;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Kubelet's gRPC probe: one {@code grpc.health.v1.Health/Check} call over HTTP/2 with prior knowledge, written by
 * hand on a socket as the HTTP probe is, so a probe costs one connection and no client library. Healthy means the
 * answer's status is {@code SERVING}; an error status, a reset, a refused connection or the timeout is not.
 *
 * <p>Only the answer's DATA frame is read: a call that fails ends with headers and no message, so the probe never
 * needs to decode the server's HPACK headers. What it sends uses HPACK's static table and literals only.
 */
final class GrpcHealthProbe {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    /** Larger frames than any health answer needs are refused rather than read. */
    private static final int MAX_FRAME = 1 << 20;
    /** HealthCheckResponse.ServingStatus.SERVING. */
    private static final int SERVING = 1;

    private GrpcHealthProbe() {
    }

    static boolean check(int port, String service, int millis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), millis);
            s.setSoTimeout(millis);
            OutputStream out = s.getOutputStream();
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.write(PREFACE);
            frame(first, SETTINGS, 0, 0, new byte[0]);
            frame(first, HEADERS, END_HEADERS, 1, headers("127.0.0.1:" + port));
            frame(first, DATA, END_STREAM, 1, message(service));
            out.write(first.toByteArray());
            out.flush();
            return answer(new DataInputStream(s.getInputStream()), out);
        }
    }

    /** Reads frames until stream 1 gives its message or ends without one. */
    private static boolean answer(DataInputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            if (length > MAX_FRAME) {
                return false;
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (type == SETTINGS && (flags & ACK) == 0) {
                frame(out, SETTINGS, ACK, 0, new byte[0]);
            } else if (type == PING && (flags & ACK) == 0) {
                frame(out, PING, ACK, 0, payload);
            } else if (type == GOAWAY || (type == RST_STREAM && stream == 1)) {
                return false;
            } else if (type == DATA && stream == 1) {
                int pad = (flags & PADDED) != 0 && length > 0 ? payload[0] & 0xff : 0;
                int from = (flags & PADDED) != 0 ? 1 : 0;
                if (from + pad > length) {
                    return false;
                }
                data.write(payload, from, length - from - pad);
                Integer status = status(data.toByteArray());
                if (status != null) {
                    return status == SERVING;
                }
                if ((flags & END_STREAM) != 0) {
                    return false;
                }
            } else if (type == HEADERS && stream == 1 && (flags & END_STREAM) != 0) {
                return false; // trailers before any message: the call failed (unknown service, not implemented)
            }
            out.flush();
        }
    }

    /**
     * The status in the first length-prefixed message of {@code data}, or {@code null} while it is incomplete.
     * Worked example: {@code 00 00000002 08 01} is an uncompressed 2-byte HealthCheckResponse, field 1 (status) = 1,
     * SERVING; an empty message is status 0, UNKNOWN.
     */
    static Integer status(byte[] data) throws EOFException {
        if (data.length < 5) {
            return null;
        }
        long size = ((data[1] & 0xffL) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        if (data.length < 5 + size) {
            return null;
        }
        if (data[0] != 0) {
            return -1; // compressed: the probe asked for none
        }
        int status = 0;
        int i = 5;
        int end = (int) (5 + size);
        while (i < end) {
            long[] tag = varint(data, i, end);
            i = (int) tag[1];
            int field = (int) (tag[0] >>> 3);
            int wire = (int) (tag[0] & 7);
            if (wire == 0) {
                long[] v = varint(data, i, end);
                i = (int) v[1];
                if (field == 1) {
                    status = (int) v[0];
                }
            } else if (wire == 2) {
                long[] len = varint(data, i, end);
                i = (int) (len[1] + len[0]);
            } else if (wire == 5) {
                i += 4;
            } else if (wire == 1) {
                i += 8;
            } else {
                return -1;
            }
        }
        return status;
    }

    /** A varint at {@code i}: its value and the index after it. */
    private static long[] varint(byte[] b, int i, int end) throws EOFException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (i >= end) {
                throw new EOFException("a varint runs past the message");
            }
            int x = b[i++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return new long[] {v, i};
            }
        }
        throw new EOFException("a varint longer than 10 bytes");
    }

    /** HealthCheckRequest{service}, length-prefixed: field 1, a string, left out when empty. */
    private static byte[] message(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        if (name.length > 0) {
            m.write(0x0a);
            for (int v = name.length; ; v >>>= 7) {
                if (v < 0x80) {
                    m.write(v);
                    break;
                }
                m.write((v & 0x7f) | 0x80);
            }
            m.writeBytes(name);
        }
        byte[] body = m.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(body.length >>> 24);
        out.write(body.length >>> 16);
        out.write(body.length >>> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * The call's headers in HPACK: {@code :method POST} and {@code :scheme http} from the static table (indices 3 and
     * 6); {@code :path}, {@code :authority}, {@code content-type} and {@code user-agent} as literals with static
     * names (4, 1, 31, 58); {@code te: trailers} as a literal with a literal name. Nothing enters the dynamic table.
     */
    static byte[] headers(String authority) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x83);
        b.write(0x86);
        literal(b, 4, "/grpc.health.v1.Health/Check");
        literal(b, 1, authority);
        literal(b, 31, "application/grpc");
        literal(b, 58, "Tide-Probe");
        b.write(0x00);
        string(b, "te");
        string(b, "trailers");
        return b.toByteArray();
    }

    /** A literal header field without indexing, its name from the static table: a 4-bit prefixed index. */
    private static void literal(ByteArrayOutputStream b, int nameIndex, String value) {
        integer(b, 0x00, 4, nameIndex);
        string(b, value);
    }

    /** An HPACK string literal, not Huffman-coded: a 7-bit prefixed length, then the bytes. */
    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
        integer(b, 0x00, 7, bytes.length);
        b.writeBytes(bytes);
    }

    /** HPACK's integer (RFC 7541 section 5.1); worked example: 31 with a 4-bit prefix is {@code 0F 10}. */
    static void integer(ByteArrayOutputStream b, int high, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            b.write(high | value);
            return;
        }
        b.write(high | max);
        int rest = value - max;
        while (rest >= 0x80) {
            b.write((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        b.write(rest);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
        out.write(payload);
    }
}
