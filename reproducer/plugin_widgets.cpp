/*
 * libplugin_widgets.so: a factory of small polymorphic objects (class
 * Impl, 16 bytes with its vptr), for host_widgets.
 */
#include "widgets.hpp"

namespace {

class Impl : public Gadget {
public:
	explicit Impl(int n) : n_(n) {}
	int spin() override { return n_ * 2; }

private:
	int n_;
};

} // namespace

extern "C" Gadget *make_gadget(int n)
{
	return new Impl(n);
}
