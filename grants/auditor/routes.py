from flask import Blueprint

bp = Blueprint("auditor", __name__)
