// The codec interface of host_codec and libplugin_codec.so, and the host's
// registry that plugins add their codecs to when they are loaded.
#ifndef CODEC_HPP
#define CODEC_HPP

class Codec {
public:
	virtual const char *name() const = 0;
	virtual int encode(int sample) const = 0;

protected:
	// Codecs are static objects of their plugins: never deleted through
	// this interface.
	~Codec() = default;
};

// Defined by the host (exported with -rdynamic): a codec adds itself.
void codec_register(Codec *codec);

#endif
