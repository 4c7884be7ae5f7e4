"""An Open311 client key for Liaoyuan (made through the CLI, as an operator would) and another city's."""
import pytest


@pytest.fixture
def setup(make_city, make_user, runner):
    _, agencies = make_city(agencies=("市市场监管局", "市税务局"))
    clerk = make_user("clerk", username="clerk_scj", agency=agencies["市市场监管局"])
    result = runner.invoke(args=["open311", "key", "create", "--name", "FixMyStreet", "--jurisdiction", "liaoyuan"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    make_city(code="xiamen", name="厦门市", prefix="XM", agencies=("厦门市税务局",))
    other = runner.invoke(args=["open311", "key", "create", "--name", "Other", "--jurisdiction", "xiamen"])
    return {"key": key, "other_key": other.output.strip().splitlines()[-1], "clerk": clerk, "agencies": agencies}
