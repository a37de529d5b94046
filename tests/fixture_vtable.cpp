/* Test fixture for test_elfsym, built as a shared object by both g++ and
   clang++.  It holds the shapes the symbolizer must name in a plugin:
   - vtables of exported classes (.dynsym, slots relocated by R_X86_64_64
     against interposable member functions, and __cxa_pure_virtual);
   - the vtable of a class in an anonymous namespace (LOCAL, .symtab only,
     slots relocated by R_X86_64_RELATIVE);
   - std::make_shared's control block, whose
     std::_Sp_counted_ptr_inplace<> vtable is what a plugin leaves behind
     in every shared_ptr it created;
   - a static local of an inline function, which g++ makes STB_GNU_UNIQUE
     and clang++ (14) does not. */
#include <memory>

namespace fixture {

class Shape {
public:
	virtual ~Shape();
	virtual double area() const = 0;
	virtual const char *name() const;
};

class Circle : public Shape {
public:
	explicit Circle(double r) : r_(r) {}
	~Circle() override;
	double area() const override;
	const char *name() const override;

private:
	double r_;
};

Shape::~Shape() {}
const char *Shape::name() const { return "shape"; }

Circle::~Circle() {}
double Circle::area() const { return 3.0 * r_ * r_; }
const char *Circle::name() const { return "circle"; }

inline int &
live_count()
{
	static int count;
	return count;
}

std::shared_ptr<Shape> make_circle(double r);
Shape *make_hidden();
int shape_count();

} // namespace fixture

namespace {

class Hidden : public fixture::Shape {
public:
	double area() const override { return 1.0; }
	const char *name() const override { return "hidden"; }
};

} // namespace

namespace fixture {

std::shared_ptr<Shape>
make_circle(double r)
{
	live_count()++;
	return std::make_shared<Circle>(r);
}

Shape *
make_hidden()
{
	live_count()++;
	return new Hidden();
}

int
shape_count()
{
	return live_count();
}

} // namespace fixture
