"""Login, logout and the departments directory."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from zoneops.accounts.selectors import departments_visible
from zoneops.accounts.services import LoginFailed, LoginThrottled, login_authenticate
from zoneops.core.access import Perm, require_perm
from zoneops.core.web import client_ip, request_user


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, max_length=200)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = login_authenticate(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                client_ip=client_ip(request),
            )
        except LoginThrottled:
            form.add_error(None, _("Too many failed logins. Try again later."))
            status = 429
        except LoginFailed:
            form.add_error(None, _("Wrong username or password."))
        else:
            auth_login(request, user)
            return HttpResponseRedirect(target)
    context: dict[str, Any] = {"form": form, "next": target}
    return render(request, "registration/login.html", context, status=status)


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_perm(user, Perm.DIRECTORY_VIEW)
    return render(request, "accounts/directory.html", {"departments": departments_visible(user=user)})
