/*
 * libplugin_func.so: installs a lambda into a host-owned std::function.
 *
 * std::function keeps a functor in place only if it is at most two
 * pointers big; these captures are larger, so the lambda goes to the
 * heap and the std::function holds pointers to _M_manager and _M_invoker
 * of std::_Function_handler<int(int), lambda>, which live here.
 */
#include <array>
#include <functional>

extern "C" void plugin_install(std::function<int(int)> *slot)
{
	std::array<long, 8> weights = {1, 2, 3, 4, 5, 6, 7, 8};
	int bias = 10;

	*slot = [weights, bias](int x) {
		long sum = bias;

		for (long w : weights)
			sum += w * x;
		return (int)sum;
	};
}
