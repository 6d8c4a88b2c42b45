package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Kubernetes' protobuf encoding of the two core kinds Tide serves, read into the JSON objects Tide keeps. kubectl's
 * typed commands ({@code kubectl create secret|configmap}) send {@code application/vnd.kubernetes.protobuf} and do
 * not fall back to JSON when refused, since kube-apiserver always accepts protobuf for core kinds.
 *
 * <p>The format: the magic {@code k8s\0}, then a {@code runtime.Unknown} message (1: typeMeta {1: apiVersion,
 * 2: kind}, 2: raw, 3: contentEncoding, 4: contentType) whose {@code raw} is the object's message: for a Secret
 * 1: metadata, 2: data (map string to bytes), 3: type, 4: stringData, 5: immutable; for a ConfigMap 1: metadata,
 * 2: data (map string to string), 3: binaryData, 4: immutable. ObjectMeta's name (1), generateName (2),
 * namespace (3), resourceVersion (6), labels (11), annotations (12) and finalizers (14) are read, the server-set
 * fields skipped; any other field (ownerReferences) is refused by number rather than dropped.
 */
final class ProtobufObjects {

    static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

    private ProtobufObjects() {
    }

    /** @throws IllegalArgumentException when the bytes are not a Secret or ConfigMap, naming what is wrong */
    static ObjectNode decode(byte[] body) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (body.length < MAGIC.length || body[i] != MAGIC[i]) {
                throw new IllegalArgumentException("protobuf body without the k8s\\0 prefix");
            }
        }
        Reader unknown = new Reader(body, MAGIC.length, body.length);
        String apiVersion = null;
        String kind = null;
        byte[] raw = null;
        while (unknown.more()) {
            int tag = unknown.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    Reader tm = unknown.message();
                    while (tm.more()) {
                        int t = tm.tag();
                        switch (t >>> 3) {
                            case 1 -> apiVersion = tm.string();
                            case 2 -> kind = tm.string();
                            default -> tm.skip(t);
                        }
                    }
                }
                case 2 -> raw = unknown.bytes();
                default -> unknown.skip(tag);
            }
        }
        if (raw == null || !"v1".equals(apiVersion) || !("Secret".equals(kind) || "ConfigMap".equals(kind))) {
            throw new IllegalArgumentException("protobuf is read only for v1 Secrets and ConfigMaps (got " + apiVersion + " " + kind
                    + "); send application/json");
        }
        boolean secret = kind.equals("Secret");
        ObjectNode obj = Json.object();
        obj.put("apiVersion", "v1").put("kind", kind);
        Reader r = new Reader(raw, 0, raw.length);
        while (r.more()) {
            int tag = r.tag();
            int field = tag >>> 3;
            if (field == 1) {
                obj.set("metadata", metadata(r.message()));
            } else if (field == 2) {
                mapEntry(r.message(), Json.with(obj, "data"), secret);
            } else if (secret && field == 3) {
                obj.put("type", r.string());
            } else if (secret && field == 4) {
                mapEntry(r.message(), Json.with(obj, "stringData"), false);
            } else if (!secret && field == 3) {
                mapEntry(r.message(), Json.with(obj, "binaryData"), true);
            } else if (secret && field == 5 || !secret && field == 4) {
                obj.put("immutable", r.varint() != 0);
            } else {
                throw new IllegalArgumentException(kind + " field " + field + " is not read from protobuf; send application/json");
            }
        }
        return obj;
    }

    private static ObjectNode metadata(Reader r) {
        ObjectNode meta = Json.object();
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> putNonEmpty(meta, "name", r.string());
                case 2 -> putNonEmpty(meta, "generateName", r.string());
                case 3 -> putNonEmpty(meta, "namespace", r.string());
                case 6 -> putNonEmpty(meta, "resourceVersion", r.string());
                case 11 -> mapEntry(r.message(), Json.with(meta, "labels"), false);
                case 12 -> mapEntry(r.message(), Json.with(meta, "annotations"), false);
                case 14 -> {
                    ArrayNode f = meta.has("finalizers") ? (ArrayNode) meta.get("finalizers") : meta.putArray("finalizers");
                    f.add(r.string());
                }
                // Server-set fields (selfLink 4, uid 5, generation 7, creationTimestamp 8, deletionTimestamp 9,
                // deletionGracePeriodSeconds 10, managedFields 17) come empty from clients and are the server's to set.
                case 4, 5, 7, 8, 9, 10, 17 -> r.skip(tag);
                default -> throw new IllegalArgumentException("metadata field " + (tag >>> 3) + " is not read from protobuf; send application/json");
            }
        }
        return meta;
    }

    /** Protobuf writes every string field, set or not; an empty one was not set. */
    private static void putNonEmpty(ObjectNode meta, String field, String value) {
        if (!value.isEmpty()) {
            meta.put(field, value);
        }
    }

    /** One map entry (1: key, 2: value); bytes values become base64, as in JSON. */
    private static void mapEntry(Reader r, ObjectNode into, boolean bytes) {
        String key = "";
        String value = "";
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> key = r.string();
                case 2 -> value = bytes ? Base64.getEncoder().encodeToString(r.bytes()) : r.string();
                default -> r.skip(tag);
            }
        }
        into.put(key, value);
    }

    /** Protobuf wire format over a slice of bytes; every read is bounds-checked. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated protobuf varint");
                }
                byte b = buf[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed protobuf varint");
        }

        byte[] bytes() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw new IllegalArgumentException("protobuf length " + n + " runs past the message");
            }
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw new IllegalArgumentException("protobuf length " + n + " runs past the message");
            }
            Reader r = new Reader(buf, pos, pos + (int) n);
            pos += (int) n;
            return r;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> bytes();
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7));
            }
            if (pos > end) {
                throw new IllegalArgumentException("truncated protobuf message");
            }
        }
    }
}
