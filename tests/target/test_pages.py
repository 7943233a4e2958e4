"""every_item follows every page, and a page that lists nothing (its key absent, as SQS answers) yields nothing."""

from simulacro.target.pages import every_item


class _Paginated:
    def __init__(self, pages):
        self.pages, self.asked = pages, []

    def get_paginator(self, operation):
        self.asked.append(operation)
        return self

    def paginate(self, **params):
        self.params = params
        return iter(self.pages)


def test_every_page_is_read_and_the_parameters_are_passed():
    client = _Paginated([{"Endpoints": [1, 2]}, {"Endpoints": [3]}, {"Endpoints": []}])
    assert list(every_item(client, "list_endpoints", "Endpoints", NameContains="churn")) == [1, 2, 3]
    assert client.asked == ["list_endpoints"] and client.params == {"NameContains": "churn"}


def test_a_page_without_the_key_lists_nothing():
    assert list(
        every_item(_Paginated([{}, {"QueueUrls": None}, {"QueueUrls": ["q"]}]), "list_queues", "QueueUrls")
    ) == ["q"]
