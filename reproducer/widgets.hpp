/* The interface between host_widgets and libplugin_widgets.so. */
#ifndef WIDGETS_HPP
#define WIDGETS_HPP

class Gadget {
public:
	virtual ~Gadget() {}
	virtual int spin() = 0;
};

typedef Gadget *make_gadget_fn(int);

#endif
