// libplugin_codec.so: a codec that registers itself with the host as the
// plugin is loaded, and is never taken out of the registry.
#include "codec.hpp"

namespace {

class FlacCodec final : public Codec {
public:
	FlacCodec() { codec_register(this); }
	const char *name() const override { return "flac"; }
	int encode(int sample) const override { return sample / 2; }
};

FlacCodec flac_codec;

}
