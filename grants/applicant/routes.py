from flask import Blueprint

bp = Blueprint("applicant", __name__)
