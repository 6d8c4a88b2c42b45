"""The sample model (all-MiniLM-L6-v2) as a KServe Python model: the same work as Tide's model server does for it,
tokenize (truncated at 256 tokens, padded to the longest), run the ONNX graph, mean-pool over the attention mask,
L2-normalise. Usage: python kserve_minilm.py MODEL_DIR HTTP_PORT."""
import json
import sys

import kserve
import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


class MiniLM(kserve.Model):
    def __init__(self, name, model_dir):
        super().__init__(name)
        self.model_dir = model_dir
        self.load()

    def load(self):
        self.tokenizer = Tokenizer.from_file(f"{self.model_dir}/tokenizer.json")
        self.tokenizer.enable_truncation(256)
        self.tokenizer.enable_padding()
        # ONNX Runtime's defaults (all cores for one inference): the best a one-process Python server gets, since
        # its event loop runs one predict at a time.
        self.session = ort.InferenceSession(f"{self.model_dir}/model.onnx", providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.ready = True

    def predict(self, payload, headers=None):
        if isinstance(payload, (bytes, bytearray)):
            payload = json.loads(payload)  # KServe hands v1 bodies over undecoded unless a preprocess step decodes them
        encodings = self.tokenizer.encode_batch(payload["instances"])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return {"predictions": pooled.tolist()}


if __name__ == "__main__":
    kserve.ModelServer(http_port=int(sys.argv[2]), enable_grpc=False, workers=1).start([MiniLM("minilm", sys.argv[1])])
