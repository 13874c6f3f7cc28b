/*
 * An ONNX NodeProto: one operator of the graph with its input and output value names and the
 * attributes we read (ints, floats, strings and tensors; sub-graphs are skipped).
 */
package dev.kanna.io.onnx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {

    /** An AttributeProto: name (1), f (2), i (3), s (4), t (5), ints (8), type (20). */
    public record Attribute(String name, int type, float f, long i, String s, OnnxTensor t, long[] ints) {
    }

    private static final int MAX_INTS = 4096;   // attribute lists in a BERT graph hold a few axes

    public String input(int index) {
        return index < inputs.size() ? inputs.get(index) : "";
    }

    public Long intAttribute(String attribute) {
        Attribute a = attributes.get(attribute);
        return a == null ? null : a.i;
    }

    public Float floatAttribute(String attribute) {
        Attribute a = attributes.get(attribute);
        return a == null ? null : a.f;
    }

    /** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7). */
    static OnnxNode parse(ProtoReader r, Path file) {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (ProtoReader.field(tag)) {
                case 1 -> inputs.add(r.expect(tag, ProtoReader.LEN).readString());
                case 2 -> outputs.add(r.expect(tag, ProtoReader.LEN).readString());
                case 3 -> name = r.expect(tag, ProtoReader.LEN).readString();
                case 4 -> opType = r.expect(tag, ProtoReader.LEN).readString();
                case 5 -> {
                    Attribute a = parseAttribute(r.expect(tag, ProtoReader.LEN).readMessage("AttributeProto"), file);
                    attributes.put(a.name, a);
                }
                case 7 -> domain = r.expect(tag, ProtoReader.LEN).readString();
                default -> r.skip(ProtoReader.wireType(tag));
            }
        }
        return new OnnxNode(name, opType, domain, List.copyOf(inputs), List.copyOf(outputs), Map.copyOf(attributes));
    }

    private static Attribute parseAttribute(ProtoReader r, Path file) {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        String s = null;
        OnnxTensor t = null;
        List<Long> ints = new ArrayList<>();
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtoReader.wireType(tag);
            switch (ProtoReader.field(tag)) {
                case 1 -> name = r.expect(tag, ProtoReader.LEN).readString();
                case 2 -> f = Float.intBitsToFloat(r.expect(tag, ProtoReader.FIXED32).readFixed32());
                case 3 -> i = r.expect(tag, ProtoReader.VARINT).readVarint();
                case 4 -> s = r.expect(tag, ProtoReader.LEN).readString();
                case 5 -> t = OnnxTensor.parse(r.expect(tag, ProtoReader.LEN).readMessage("TensorProto"), file);
                case 8 -> {
                    if (wire == ProtoReader.LEN) {
                        long[] range = r.readLengthDelimited();
                        ProtoReader packed = new ProtoReader(r.segment(), range[0], range[1], file, "AttributeProto.ints");
                        while (packed.hasMore()) addBounded(ints, packed.readVarint(), r);
                    } else {
                        addBounded(ints, r.expect(tag, ProtoReader.VARINT).readVarint(), r);
                    }
                }
                case 20 -> type = (int) r.expect(tag, ProtoReader.VARINT).readVarint();
                default -> r.skip(wire);
            }
        }
        return new Attribute(name, type, f, i, s, t, ints.stream().mapToLong(Long::longValue).toArray());
    }

    private static void addBounded(List<Long> ints, long value, ProtoReader r) {
        if (ints.size() >= MAX_INTS) throw r.error("an attribute holds more than " + MAX_INTS + " integers");
        ints.add(value);
    }
}
